"""Reads and writes of tickets; every write leaves an audit event."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.mentions.models import Mention
from communitydesk.metrics import fact_refresh
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink, TicketTag
from communitydesk.tickets.schemas import CUSTOM_FIELDS, STATUSES, Actor

_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_:.\-]{0,99}$")


class TicketError(ValueError):
    """A change that the desk refuses, with a message fit for the user."""


def normalize_tag(tag: str) -> str:
    """Return a tag in its stored form (lowercase, spaces to dashes) or raise TicketError."""
    name = "-".join(tag.strip().lower().split())
    if not _TAG_RE.match(name):
        raise TicketError(f"invalid tag {tag!r}: use letters, digits, '-', '_', ':' or '.'")
    return name


def record(
    session: Session,
    ticket: Ticket,
    *,
    actor: Actor,
    action: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
    macro: str | None = None,
) -> None:
    """Add an audit event for a change to a ticket; every change to a ticket comes through here.

    The ticket's metrics facts are recomputed at the next flush, in the same transaction.
    """
    session.add(
        AuditEvent(
            ticket_id=ticket.id,
            actor_id=actor.user_id,
            actor_label=actor.label,
            action=action,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            macro=macro,
            created_at=utcnow(),
        )
    )
    ticket.updated_at = utcnow()
    fact_refresh.changed(session, ticket.id)


def create(
    session: Session,
    *,
    subject: str,
    channel: str,
    actor: Actor,
    requester_handle: str | None = None,
    requester_name: str | None = None,
    tags: Iterable[str] = (),
) -> Ticket:
    """Create a new ticket."""
    ticket = Ticket(
        subject=subject[:300] or "(no subject)",
        channel=channel,
        status="new",
        requester_handle=requester_handle,
        requester_name=requester_name,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(ticket)
    session.flush()
    record(session, ticket, actor=actor, action="created", new=ticket.subject)
    add_tags(session, ticket, tags, actor=actor)
    return ticket


def get(session: Session, ticket_id: int) -> Ticket | None:
    """Return a ticket by id."""
    return session.get(Ticket, ticket_id)


def set_status(
    session: Session, ticket: Ticket, status: str, *, actor: Actor, macro: str | None = None
) -> None:
    """Change a ticket's status; a closed ticket stays closed."""
    if status not in STATUSES:
        raise TicketError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    if status == ticket.status:
        return
    if ticket.status == "closed":
        raise TicketError(f"ticket #{ticket.id} is closed and cannot change status")
    old = ticket.status
    ticket.status = status
    ticket.solved_at = utcnow() if status == "solved" else (ticket.solved_at if status == "closed" else None)
    record(session, ticket, actor=actor, action="status", field="status", old=old, new=status, macro=macro)


def set_field(
    session: Session, ticket: Ticket, field: str, value: str | None, *, actor: Actor, macro: str | None = None
) -> None:
    """Set one custom field (stage, group_name, category, intent)."""
    if field not in CUSTOM_FIELDS:
        raise TicketError(f"unknown field {field!r}; expected one of {', '.join(CUSTOM_FIELDS)}")
    old = getattr(ticket, field)
    value = value or None
    if old == value:
        return
    setattr(ticket, field, value)
    record(session, ticket, actor=actor, action="field", field=field, old=old, new=value, macro=macro)


def set_assignee(session: Session, ticket: Ticket, assignee_id: int | None, *, actor: Actor) -> None:
    """Assign a ticket to a user, or unassign it with None."""
    if ticket.assignee_id == assignee_id:
        return
    old = ticket.assignee_id
    ticket.assignee_id = assignee_id
    record(session, ticket, actor=actor, action="assignee", field="assignee", old=old, new=assignee_id)


def add_tags(
    session: Session, ticket: Ticket, tags: Iterable[str], *, actor: Actor, macro: str | None = None
) -> None:
    """Add tags a ticket does not have yet."""
    present = set(ticket.tags)
    for name in dict.fromkeys(normalize_tag(tag) for tag in tags):
        if name in present:
            continue
        ticket.tag_rows.append(TicketTag(name=name, created_at=utcnow()))
        present.add(name)
        record(session, ticket, actor=actor, action="tag_added", field="tags", new=name, macro=macro)


def remove_tags(
    session: Session, ticket: Ticket, tags: Iterable[str], *, actor: Actor, macro: str | None = None
) -> None:
    """Remove tags from a ticket; tags it does not have are ignored."""
    names = {normalize_tag(tag) for tag in tags}
    for row in [row for row in ticket.tag_rows if row.name in names]:
        ticket.tag_rows.remove(row)
        record(session, ticket, actor=actor, action="tag_removed", field="tags", old=row.name, macro=macro)


def add_note(session: Session, ticket: Ticket, body: str, *, actor: Actor, macro: str | None = None) -> Note:
    """Add an internal note."""
    body = body.strip()
    if not body:
        raise TicketError("a note cannot be empty")
    note = Note(
        ticket_id=ticket.id, author_id=actor.user_id, author_label=actor.label, body=body, created_at=utcnow()
    )
    session.add(note)
    record(session, ticket, actor=actor, action="note_added", new=body[:200], macro=macro)
    return note


def link(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    actor: Actor,
    target: Ticket | None = None,
    url: str | None = None,
    macro: str | None = None,
) -> None:
    """Link a ticket to another ticket or a URL; linking twice is a no-op."""
    if (target is None) == (url is None):
        raise TicketError("a link needs exactly one of a target ticket or a URL")
    if target is not None and target.id == ticket.id:
        raise TicketError("a ticket cannot link to itself")
    target_id = target.id if target is not None else None
    exists = session.scalar(
        select(TicketLink.id).where(
            TicketLink.ticket_id == ticket.id,
            TicketLink.kind == kind,
            TicketLink.target_ticket_id.is_(None)
            if target_id is None
            else TicketLink.target_ticket_id == target_id,
            TicketLink.target_url.is_(None) if url is None else TicketLink.target_url == url,
        )
    )
    if exists:
        return
    session.add(TicketLink(ticket_id=ticket.id, kind=kind, target_ticket_id=target_id, target_url=url))
    shown = f"#{target_id}" if target_id is not None else url
    record(session, ticket, actor=actor, action="link_added", field=kind, new=shown, macro=macro)


@dataclass(frozen=True)
class TicketFilter:
    status: str | None = None
    channel: str | None = None
    tag: str | None = None
    assignee_id: int | None = None
    text: str | None = None


def _filtered(query: Select[tuple[Ticket]], flt: TicketFilter) -> Select[tuple[Ticket]]:
    if flt.status:
        query = query.where(Ticket.status == flt.status)
    if flt.channel:
        query = query.where(Ticket.channel == flt.channel)
    if flt.assignee_id is not None:
        query = query.where(Ticket.assignee_id == flt.assignee_id)
    if flt.tag:
        query = query.where(
            Ticket.id.in_(select(TicketTag.ticket_id).where(TicketTag.name == normalize_tag(flt.tag)))
        )
    if flt.text:
        needle = flt.text.strip()
        in_mentions = select(Mention.ticket_id).where(Mention.text.icontains(needle, autoescape=True))
        query = query.where(
            or_(Ticket.subject.icontains(needle, autoescape=True), Ticket.id.in_(in_mentions))
        )
    return query


def get_page(
    session: Session, flt: TicketFilter, *, before_id: int | None = None, limit: int = 50
) -> list[Ticket]:
    """Return tickets newest first, starting below a cursor id (keyset pagination)."""
    query = _filtered(select(Ticket), flt)
    if before_id is not None:
        query = query.where(Ticket.id < before_id)
    return list(session.scalars(query.order_by(Ticket.id.desc()).limit(limit)))


def count(session: Session, flt: TicketFilter) -> int:
    """Count the tickets that match a filter."""
    return session.scalar(_filtered(select(func.count(Ticket.id)), flt)) or 0


def mentions_of(session: Session, ticket: Ticket) -> Sequence[Mention]:
    """Return a ticket's mentions, oldest first."""
    return session.scalars(
        select(Mention).where(Mention.ticket_id == ticket.id).order_by(Mention.created_at, Mention.id)
    ).all()


def notes_of(session: Session, ticket: Ticket) -> Sequence[Note]:
    return session.scalars(select(Note).where(Note.ticket_id == ticket.id).order_by(Note.id)).all()


def links_of(session: Session, ticket: Ticket) -> Sequence[TicketLink]:
    """Return links from and to a ticket."""
    return session.scalars(
        select(TicketLink)
        .where(or_(TicketLink.ticket_id == ticket.id, TicketLink.target_ticket_id == ticket.id))
        .order_by(TicketLink.id)
    ).all()


def audit_of(session: Session, ticket: Ticket) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket.id).order_by(AuditEvent.id)
    ).all()


def tag_counts(session: Session) -> list[tuple[str, int]]:
    """Return every tag in use with its ticket count, most used first."""
    rows = session.execute(
        select(TicketTag.name, func.count())
        .group_by(TicketTag.name)
        .order_by(func.count().desc(), TicketTag.name)
    )
    return [(name, n) for name, n in rows]


def get_by_ids(session: Session, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
    """Return the tickets with these ids, by id, in one query."""
    ids = set(ticket_ids)
    if not ids:
        return {}
    return {ticket.id: ticket for ticket in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
