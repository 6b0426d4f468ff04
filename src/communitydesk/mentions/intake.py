"""The intake seam: validate, deduplicate, store and thread mentions from any source.

Files, the REST API and (later) source connectors all hand rows to `ingest_rows`. A bad row is kept in
the rejects table with its location and reason and never stops the others; a row seen before is counted
as a duplicate and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Union

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from communitydesk.db.base import utcnow
from communitydesk.experts.answers import ExpertWatch, close_loops
from communitydesk.mentions import service as mentions
from communitydesk.mentions.models import Mention
from communitydesk.mentions.schemas import IntakeReport, MentionIn
from communitydesk.metrics import fact_refresh
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import AuditEvent, Ticket, TicketLink
from communitydesk.tickets.schemas import Actor
from communitydesk.tickets.threading import (
    JOINS_CONVERSATION,
    RELATES_TO_THREAD,
    THREAD_LINK,
    _subject,
    place_mention,
)

INTAKE = Actor("intake")
BATCH_SIZE = 500
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


class RowRejected(ValueError):
    pass


def describe_validation_error(exc: ValidationError) -> str:
    """Return a one-line reason naming each bad field."""
    parts = []
    for error in exc.errors()[:5]:
        field = ".".join(str(part) for part in error["loc"]) or "row"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


def parse_row(raw: str | dict[str, Any]) -> MentionIn:
    """Parse one row (JSON text or an object) into a MentionIn, or raise RowRejected with the reason."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RowRejected(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(raw, dict):
        raise RowRejected(f"expected a JSON object, got {type(raw).__name__}")
    try:
        return MentionIn.model_validate(raw)
    except ValidationError as exc:
        raise RowRejected(describe_validation_error(exc)) from exc


def store_mention(
    session: Session, mention_in: MentionIn, *, company_names: list[str], watch: ExpertWatch | None = None
) -> bool:
    """Store one mention and put it on a ticket; return False when it was already stored.

    With `watch`, a known expert's post closes the loop on the outreach ticket it answers.
    """
    if mentions.get_by_external_id(session, source=mention_in.source, external_id=mention_in.external_id):
        return False
    mention = mentions.build(mention_in, company_names=company_names)
    try:
        with session.begin_nested():
            session.add(mention)
            session.flush()
    except IntegrityError:
        # Another writer stored the same (source, external id) between our check and insert.
        return False
    place_mention(session, mention, actor=INTAKE)
    if watch is not None:
        close_loops(session, [mention], watch)
    return True


def store_mentions(
    session: Session, batch: list[MentionIn], *, company_names: list[str], watch: ExpertWatch | None = None
) -> list[bool]:
    """Store mentions in order, as `store_mention` would one by one, with a few queries per batch.

    Return, for each mention, whether it was new. Threading follows `place_mention`: the ticket of the
    message replied to, else the earliest ticketed message of the thread, else the thread's root, where
    mentions earlier in the batch count as stored. If another writer races us to the same (source,
    external id), the batch is undone and stored one by one.
    """
    if not batch:
        return []
    try:
        with session.begin_nested():
            return _store_batch(session, batch, company_names=company_names, watch=watch)
    except IntegrityError:
        return [
            store_mention(session, mention_in, company_names=company_names, watch=watch)
            for mention_in in batch
        ]


# A ticket is known by id when stored before this batch, or as the object this batch is creating.
_TicketRef = Union[int, Ticket]  # noqa: UP007 - a runtime alias, also read by mypy
# The thread's first ticketed mention: (created_at, (0, id) stored | (1, batch position) new, ticket).
_First = tuple[Any, tuple[int, int], _TicketRef]


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


class _Threads:
    """What threading needs to know about stored mentions: loaded once per batch, then kept current."""

    def __init__(self, session: Session, batch: list[Mention]) -> None:
        self.by_key: dict[tuple[str, str], _TicketRef] = {}
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
            for chunk in _chunks(sorted(wanted)):
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
            for chunk in _chunks(sorted(wanted)):
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

    def related(self, mention: Mention) -> _TicketRef | None:
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

    def placed(self, mention: Mention, ticket: _TicketRef, position: int) -> None:
        """Remember that a mention of this batch now has a ticket."""
        self.by_key[(mention.source, mention.external_id)] = ticket
        if mention.root_external_id:
            self._offer(
                (mention.source, mention.root_external_id), (mention.created_at, (1, position), ticket)
            )


def _stored_keys(session: Session, batch: list[MentionIn]) -> set[tuple[str, str]]:
    wanted: dict[str, set[str]] = {}
    for mention_in in batch:
        wanted.setdefault(mention_in.source, set()).add(mention_in.external_id)
    found: set[tuple[str, str]] = set()
    for source, external_ids in wanted.items():
        # One source per query, so both databases use the (source, external_id) unique index.
        for chunk in _chunks(sorted(external_ids)):
            rows = session.scalars(
                select(Mention.external_id).where(Mention.source == source, Mention.external_id.in_(chunk))
            )
            found.update((source, external_id) for external_id in rows)
    return found


class _Placement:
    """Tickets, audit records and links of one batch, decided in memory and written in bulk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.loaded: dict[int, Ticket] = {}
        self.new_tickets: list[Ticket] = []
        # (ticket, audit kwargs) in the order `place_mention` would have recorded them.
        self.records: list[tuple[Ticket, dict[str, Any]]] = []
        self.links: list[tuple[Ticket, str, _TicketRef]] = []

    def ticket(self, ref: _TicketRef) -> Ticket | None:
        if isinstance(ref, Ticket):
            return ref
        if ref not in self.loaded:
            found = self.session.get(Ticket, ref)
            if found is None:
                return None
            self.loaded[ref] = found
        return self.loaded[ref]

    def place(self, mention: Mention, related_ref: _TicketRef | None) -> _TicketRef:
        """Return the ticket this mention goes on, as `place_mention` decides."""
        if mention.channel in JOINS_CONVERSATION and related_ref is not None:
            related = self.ticket(related_ref)
            if related is not None and related.status != "closed":
                added = {"action": "mention_added", "new": mention.url or mention.external_id}
                if related.id is None:
                    # Made in this batch, so still new: recorded after the tickets get their ids.
                    self.records.append((related, added))
                else:
                    tickets.record(self.session, related, actor=INTAKE, **added)
                    if related.status in ("pending", "solved"):
                        tickets.set_status(self.session, related, "open", actor=INTAKE)
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

    def write(self, placed: list[tuple[Mention, _TicketRef]]) -> None:
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
                    "actor_id": INTAKE.user_id,
                    "actor_label": INTAKE.label,
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


def _store_batch(
    session: Session, batch: list[MentionIn], *, company_names: list[str], watch: ExpertWatch | None
) -> list[bool]:
    stored = _stored_keys(session, batch)
    results: list[bool] = []
    fresh: list[Mention] = []
    for mention_in in batch:
        key = (mention_in.source, mention_in.external_id)
        results.append(key not in stored)
        if key not in stored:
            stored.add(key)
            fresh.append(mentions.build(mention_in, company_names=company_names))
    if not fresh:
        return results
    with session.no_autoflush:
        threads = _Threads(session, fresh)
        placement = _Placement(session)
        placed: list[tuple[Mention, _TicketRef]] = []
        for position, mention in enumerate(fresh):
            threaded = mention.parent_external_id or mention.root_external_id
            ref = placement.place(mention, threads.related(mention) if threaded else None)
            threads.placed(mention, ref, position)
            placed.append((mention, ref))
        placement.write(placed)
    if watch is not None:
        close_loops(session, fresh, watch)
    return results


def ingest_rows(
    session_factory: sessionmaker[Session],
    rows: Iterable[tuple[str, str | dict[str, Any]]],
    *,
    source: str,
    company_names: list[str],
    watch: ExpertWatch | None = None,
) -> IntakeReport:
    """Ingest (location, row) pairs; commit in batches so a crash loses at most one batch of work."""
    report = IntakeReport()
    rejects: list[tuple[str, str, str]] = []
    batch: list[tuple[str, MentionIn]] = []

    def flush() -> None:
        with session_factory() as session, session.begin():
            stored = store_mentions(session, [m for _, m in batch], company_names=company_names, watch=watch)
            for is_new in stored:
                if is_new:
                    report.new += 1
                else:
                    report.duplicate += 1
        batch.clear()

    for location, raw in rows:
        report.received += 1
        try:
            batch.append((location, parse_row(raw)))
        except RowRejected as exc:
            payload = raw if isinstance(raw, str) else json.dumps(raw, default=str)
            rejects.append((location, str(exc), payload))
            report.rejected += 1
            report.errors.append(f"{location}: {exc}")
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    if rejects:
        with session_factory() as session, session.begin():
            for location, reason, payload in rejects:
                mentions.add_reject(session, source=source, location=location, reason=reason, payload=payload)
    return report


def read_jsonl(path: Path) -> Iterator[tuple[str, str]]:
    """Yield (file:line, text) for each non-blank line of a JSON Lines file."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield f"{path.name}:{number}", line.rstrip("\n")
