"""Put a batch of new mentions on tickets in memory, as `place_mention` would one by one; write it in bulk.

`Threads` knows which tickets the batch's threads already have; `Placement` decides each mention's ticket
(joining a conversation, or a new ticket linked to its thread) and writes tickets, mentions, audit events
and links with a few multi-row INSERTs. This is the hot path of every source and `desk ingest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Union

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.mentions.models import Mention
from communitydesk.metrics import fact_refresh
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import AuditEvent, Ticket, TicketLink
from communitydesk.tickets.schemas import Actor
from communitydesk.tickets.threading import (
    JOINS_CONVERSATION,
    RELATES_TO_THREAD,
    THREAD_LINK,
    _subject,
)

_IN_CHUNK = 400  # keys per IN (...) query, well under SQLite's variable limit
_TICKET_COLUMNS = (
    "subject",
    "channel",
    "status",
    "requester_handle",
    "requester_name",
    "created_at",
    "updated_at",
)
_MENTION_COLUMNS = tuple(column.key for column in Mention.__table__.columns if column.key != "id")

# A ticket is known by id when stored before this batch, or as the object this batch is creating.
TicketRef = Union[int, Ticket]  # noqa: UP007 - a runtime alias, also read by mypy
# The thread's first ticketed mention: (created_at, (0, id) stored | (1, batch position) new, ticket).
_First = tuple[Any, tuple[int, int], TicketRef]


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    """Yield the values in slices small enough for one IN (...) query."""
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


class Threads:
    """What threading needs to know about stored mentions: loaded once per batch, then kept current."""

    def __init__(self, session: Session, batch: list[Mention]) -> None:
        self.by_key: dict[tuple[str, str], TicketRef] = {}
        self.first: dict[tuple[str, str], _First] = {}
        keys: dict[str, set[str]] = {}
        roots: dict[str, set[str]] = {}
        for mention in batch:
            for key in (mention.parent_external_id, mention.root_external_id):
                if key:
                    keys.setdefault(mention.source, set()).add(key)
            if mention.root_external_id:
                roots.setdefault(mention.source, set()).add(mention.root_external_id)
        for source, wanted in keys.items():
            for chunk in chunks(sorted(wanted)):
                for external_id, ticket_id in session.execute(
                    select(Mention.external_id, Mention.ticket_id).where(
                        Mention.source == source,
                        Mention.external_id.in_(chunk),
                        Mention.ticket_id.is_not(None),
                    )
                ):
                    if ticket_id is not None:
                        self.by_key[(source, external_id)] = ticket_id
        for source, wanted in roots.items():
            for chunk in chunks(sorted(wanted)):
                for root, created_at, mention_id, ticket_id in session.execute(
                    select(Mention.root_external_id, Mention.created_at, Mention.id, Mention.ticket_id).where(
                        Mention.source == source,
                        Mention.root_external_id.in_(chunk),
                        Mention.ticket_id.is_not(None),
                    )
                ):
                    if root is not None and ticket_id is not None:
                        self._offer((source, root), (created_at, (0, mention_id), ticket_id))

    def _offer(self, key: tuple[str, str], candidate: _First) -> None:
        current = self.first.get(key)
        if current is None or candidate[:2] < current[:2]:
            self.first[key] = candidate

    def related(self, mention: Mention) -> TicketRef | None:
        """Return the ticket `thread_ticket` would find for this mention."""
        source, root = mention.source, mention.root_external_id
        for key in (key for key in (mention.parent_external_id, root) if key):
            found = self.by_key.get((source, key))
            if found is None and root:
                first = self.first.get((source, root))
                found = first[2] if first is not None else None
            if found is not None:
                return found
        return None

    def placed(self, mention: Mention, ticket: TicketRef, position: int) -> None:
        """Remember that a mention of this batch now has a ticket."""
        self.by_key[(mention.source, mention.external_id)] = ticket
        if mention.root_external_id:
            self._offer(
                (mention.source, mention.root_external_id), (mention.created_at, (1, position), ticket)
            )


class Placement:
    """Tickets, audit records and links of one batch, decided in memory and written in bulk."""

    def __init__(self, session: Session, *, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.loaded: dict[int, Ticket] = {}
        self.new_tickets: list[Ticket] = []
        # (ticket, audit kwargs) in the order `place_mention` would have recorded them.
        self.records: list[tuple[Ticket, dict[str, Any]]] = []
        self.links: list[tuple[Ticket, str, TicketRef]] = []

    def ticket(self, ref: TicketRef) -> Ticket | None:
        if isinstance(ref, Ticket):
            return ref
        if ref not in self.loaded:
            found = self.session.get(Ticket, ref)
            if found is None:
                return None
            self.loaded[ref] = found
        return self.loaded[ref]

    def place(self, mention: Mention, related_ref: TicketRef | None) -> TicketRef:
        """Return the ticket this mention goes on, as `place_mention` decides."""
        if mention.channel in JOINS_CONVERSATION and related_ref is not None:
            related = self.ticket(related_ref)
            if related is not None and related.status != "closed":
                added = {"action": "mention_added", "new": mention.url or mention.external_id}
                if related.id is None:
                    # Made in this batch, so still new: recorded after the tickets get their ids.
                    self.records.append((related, added))
                else:
                    tickets.record(self.session, related, actor=self.actor, **added)
                    if related.status in ("pending", "solved"):
                        tickets.set_status(self.session, related, "open", actor=self.actor)
                return related_ref
        now = utcnow()
        subject = _subject(mention)
        ticket = Ticket(
            subject=subject[:300] or "(no subject)",
            channel=mention.channel,
            status="new",
            requester_handle=mention.author_handle,
            requester_name=mention.author_name,
            created_at=mention.created_at if mention.created_at < now else now,
            updated_at=now,
        )
        self.new_tickets.append(ticket)
        self.records.append((ticket, {"action": "created", "new": ticket.subject}))
        if related_ref is not None and (
            mention.channel in RELATES_TO_THREAD or mention.channel in JOINS_CONVERSATION
        ):
            kind = THREAD_LINK if mention.channel in RELATES_TO_THREAD else "follow_up_of"
            self.links.append((ticket, kind, related_ref))
            self.records.append((ticket, {"action": "link_added", "field": kind, "new": related_ref}))
        return ticket

    def write(self, placed: list[tuple[Mention, TicketRef]]) -> None:
        """Insert the batch's tickets (for their ids), then its mentions, audit events and links.

        Bulk inserts, not the unit of work: this is the hot path of every source and `desk ingest`.
        """
        if self.new_tickets:
            rows = [
                {column: getattr(ticket, column) for column in _TICKET_COLUMNS} for ticket in self.new_tickets
            ]
            ids = self.session.scalars(
                insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), rows
            ).all()
            for ticket, ticket_id in zip(self.new_tickets, ids, strict=True):
                ticket.id = ticket_id
        mention_rows = []
        for mention, ref in placed:
            mention.ticket_id = ref.id if isinstance(ref, Ticket) else ref
            mention_rows.append({column: getattr(mention, column) for column in _MENTION_COLUMNS})
        _insert_rows(self.session, Mention, mention_rows)
        now = utcnow()
        events = []
        for ticket, fields in self.records:
            new = fields.get("new")
            if isinstance(new, Ticket):
                new = f"#{new.id}"
            elif fields.get("action") == "link_added":
                new = f"#{new}"
            # The same event `tickets.record` writes.
            events.append(
                {
                    "ticket_id": ticket.id,
                    "actor_id": self.actor.user_id,
                    "actor_label": self.actor.label,
                    "action": fields["action"],
                    "field": fields.get("field"),
                    "old_value": None,
                    "new_value": None if new is None else str(new),
                    "macro": None,
                    "created_at": now,
                }
            )
        if events:
            _insert_rows(self.session, AuditEvent, events)
        links = [
            {
                "ticket_id": ticket.id,
                "kind": kind,
                "target_ticket_id": target.id if isinstance(target, Ticket) else target,
                "target_url": None,
                "created_at": now,
            }
            for ticket, kind, target in self.links
        ]
        if links:
            _insert_rows(self.session, TicketLink, links)
        # bulk inserts skip the unit of work (and `tickets.record`): the new tickets' facts are written here
        fact_refresh.refresh(self.session, [ticket.id for ticket in self.new_tickets])


def _insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows in batches: RETURNING makes SQLAlchemy send multi-row INSERTs ("insertmanyvalues")
    on both databases, where psycopg's plain executemany would send one statement per row."""
    table = model.__table__
    session.execute(insert(table).returning(table.c.id), rows).all()
