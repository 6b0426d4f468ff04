"""Changes to a ticket that span several service calls, each one audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import CUSTOM_FIELDS, Actor, TicketUpdate
from communitydesk.users import service as users

MAX_ID = 2**31 - 1  # ids are INTEGER columns; PostgreSQL refuses a larger value in a comparison


def update_ticket(session: Session, ticket: Ticket, change: TicketUpdate, *, actor: Actor) -> None:
    """Apply a partial update to a ticket; the caller commits, or rolls back on TicketError.

    Omitted fields stay as they are. A custom field sent as null or "" is cleared; an assignee of 0 (or
    an explicit null) unassigns. Every check that can fail without touching the database runs before the
    first change, and the status change (refused on a closed ticket) is the first change, so a refused
    update leaves the ticket untouched even before the rollback.
    """
    add = [tickets.normalize_tag(tag) for tag in change.add_tags]
    remove = [tickets.normalize_tag(tag) for tag in change.remove_tags]
    both = sorted(set(add) & set(remove))
    if both:
        raise tickets.TicketError(f"tags {', '.join(both)} cannot be both added and removed")
    if change.note is not None and not change.note.strip():
        raise tickets.TicketError("a note cannot be empty")
    _check_text("note", change.note)
    sets_assignee = "assignee_id" in change.model_fields_set
    assignee_id = change.assignee_id or None
    if sets_assignee and assignee_id is not None:
        assignee = users.get(session, assignee_id) if 0 < assignee_id <= MAX_ID else None
        if assignee is None or not assignee.is_active:
            raise tickets.TicketError(f"no active user #{assignee_id} to assign; use 0 to unassign")
    fields = {name: getattr(change, name) for name in CUSTOM_FIELDS if name in change.model_fields_set}
    for name, value in fields.items():
        _check_text(name, value, limit=_column_length(name))

    if change.status is not None:
        tickets.set_status(session, ticket, change.status, actor=actor)
    if sets_assignee:
        tickets.set_assignee(session, ticket, assignee_id, actor=actor)
    for name, value in fields.items():
        tickets.set_field(session, ticket, name, value, actor=actor)
    tickets.remove_tags(session, ticket, remove, actor=actor)
    tickets.add_tags(session, ticket, add, actor=actor)
    if change.note is not None:
        tickets.add_note(session, ticket, change.note, actor=actor)


def _check_text(name: str, value: str | None, *, limit: int | None = None) -> None:
    """Refuse text the database cannot store, alike on SQLite and PostgreSQL."""
    if value and "\x00" in value:
        raise tickets.TicketError(f"{name} contains a NUL character")
    if value and limit is not None and len(value) > limit:
        raise tickets.TicketError(f"{name} is {len(value)} characters long; the limit is {limit}")


def _column_length(field: str) -> int | None:
    length: int | None = getattr(Ticket.__table__.c[field].type, "length", None)
    return length
