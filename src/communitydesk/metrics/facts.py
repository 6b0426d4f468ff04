"""Per-ticket facts for the metrics, kept up to date in the transaction that changes the ticket.

`ticket_facts` holds one row per ticket, `ticket_outreach_months` one per ticket and month with outreach,
`metrics_month_counts` what each month counts (models.MonthCount).

Every change to a ticket leaves an audit event through `tickets.service.record` (notes, links, macros,
status and field changes, public replies), which calls `changed`: the ticket's rows are recomputed from
the ticket, its audit trail, notes and links when the session next flushes, in the same transaction.
Intake writes its new tickets in bulk (`mentions.bulk_placement`) and calls `refresh` for them itself.
The rows come from the same SQL that `rebuild` runs over every ticket (the migration's backfill and
`desk metrics rebuild-facts`), so they are always what a rebuild would give, which the tests check after
a varied history.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from communitydesk.metrics.models import DocsUrlBase, MonthCount, OutreachMonth, TicketFacts
from communitydesk.metrics.sql import seconds_between
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink

REACHED_OUT = "Reached out to expert"
# the macro outreach.responses applies (named here: tickets.service imports this module, so it cannot
# import the outreach package, which imports tickets.service)
EXPERT_RESPONDED = "Expert Responded"
MACRO_APPLIED = "macro_applied"
# Audit actions that are a public reply to the requester (replies.service: interim replies, experts'
# drafts posted from the company account).
PUBLIC_REPLY_ACTIONS: tuple[str, ...] = ("public_reply",)
_PENDING = "ticket_facts_pending"
_CHUNK = 500  # ticket ids per refresh statement (bound parameters stay well under SQLite's limit)


class month_key(FunctionElement[int]):
    """The UTC calendar month of a datetime as the integer YYYYMM."""

    type = Integer()
    inherit_cache = True
    name = "month_key"


@compiles(month_key)
def _month_key_sqlite(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(strftime('%Y%m', {value}) AS INTEGER)"


@compiles(month_key, "postgresql")
def _month_key_postgresql(element: month_key, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = (compiler.process(arg, **kw) for arg in element.clauses)
    utc = f"({value} AT TIME ZONE 'UTC')"
    return f"CAST(EXTRACT(YEAR FROM {utc}) * 100 + EXTRACT(MONTH FROM {utc}) AS INTEGER)"


class text_position(FunctionElement[int]):
    """The 1-based position of the second text in the first, 0 when absent (instr / strpos)."""

    type = Integer()
    inherit_cache = True
    name = "text_position"


@compiles(text_position)
def _text_position_sqlite(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(text_position, "postgresql")
def _text_position_postgresql(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


class duration_bucket(FunctionElement[int]):
    """SQL of `bucket_of`: digits * 100 + the first two digits of the whole seconds; -1 below zero."""

    type = Integer()
    inherit_cache = True
    name = "duration_bucket"


def _bucket_sql(whole: str, value: str) -> str:
    text = f"CAST({whole} AS TEXT)"
    return (
        f"CASE WHEN {value} < 0 THEN -1 ELSE length({text}) * 100 + CAST(substr({text}, 1, 2) AS INTEGER) END"
    )


@compiles(duration_bucket)
def _duration_bucket_sqlite(element: duration_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return _bucket_sql(f"CAST({value} AS INTEGER)", value)  # truncates: the floor of a positive number


@compiles(duration_bucket, "postgresql")
def _duration_bucket_postgresql(element: duration_bucket, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return _bucket_sql(f"CAST(FLOOR({value}) AS BIGINT)", value)


def bucket_of(seconds: float) -> int:
    """The duration bucket of some seconds (see models.MonthCount); buckets sort as durations do."""
    if seconds < 0:
        return -1
    digits = str(math.floor(seconds))
    return len(digits) * 100 + int(digits[:2])


def bucket_floor(bucket: int) -> float | None:
    """The least seconds in a bucket (None: no lower bound)."""
    if bucket < 0:
        return None
    digits, lead = divmod(bucket, 100)
    return float(lead if digits == 1 else lead * 10 ** (digits - 2))


def first_response_condition(event: type[AuditEvent]) -> ColumnElement[bool]:
    """Return what counts as a first response: a person's macro, solve or public reply.

    The constants are literals, not parameters, and the terms are in the order of the partial index
    `ix_audit_events_responses`, so the database can use it; an action added to PUBLIC_REPLY_ACTIONS
    needs that index's condition (metrics.models.RESPONSE_EVENTS_WHERE) widened in a migration.
    """
    kinds = [
        event.action == literal_column("'macro_applied'"),
        and_(event.action == literal_column("'status'"), event.new_value == literal_column("'solved'")),
        *(event.action == literal_column(f"'{action}'") for action in PUBLIC_REPLY_ACTIONS),
    ]
    return and_(event.actor_id.is_not(None), or_(*kinds))


def macro_event(event: type[AuditEvent], macro: str) -> ColumnElement[bool]:
    return and_(event.action == MACRO_APPLIED, event.macro == macro)


def _has_docs_link() -> ColumnElement[bool]:
    """A note contains, or a link starts with, a stored docs URL base (case-insensitive, no LIKE escaping)."""
    base = func.lower(DocsUrlBase.base)
    # correlated to the ticket two levels up, through the bases' subquery
    in_note = (
        select(Note.id)
        .where(Note.ticket_id == Ticket.id, text_position(func.lower(Note.body), base) > 0)
        .correlate(Ticket, DocsUrlBase)
        .exists()
    )
    in_link = (
        select(TicketLink.id)
        .where(
            TicketLink.ticket_id == Ticket.id,
            func.substr(func.lower(TicketLink.target_url), 1, func.length(base)) == base,
        )
        .correlate(Ticket, DocsUrlBase)
        .exists()
    )
    return or_(in_note, in_link)


def _facts_rows(ticket_ids: Sequence[int] | None) -> Any:
    """Return a SELECT of `ticket_facts` rows for some tickets (all when None)."""
    response, answer, reached = aliased(AuditEvent), aliased(AuditEvent), aliased(AuditEvent)
    responded_at = (
        select(func.min(response.created_at))
        .where(response.ticket_id == Ticket.id, first_response_condition(response))
        .scalar_subquery()
    )
    first_answer_at = (  # the first `Expert Responded` in the trail's order
        select(answer.created_at)
        .where(answer.ticket_id == Ticket.id, macro_event(answer, EXPERT_RESPONDED))
        .order_by(answer.id)
        .limit(1)
        .scalar_subquery()
    )
    docs = select(DocsUrlBase.base).where(_has_docs_link()).exists()
    moments = select(
        Ticket.id.label("ticket_id"),
        Ticket.created_at.label("created_at"),
        responded_at.label("responded_at"),
        Ticket.solved_at.label("solved_at"),
        Ticket.status.in_(("solved", "closed")).label("solved_now"),
        docs.label("has_docs_link"),
        first_answer_at.label("first_answer_at"),
    )
    if ticket_ids is not None:
        moments = moments.where(Ticket.id.in_(ticket_ids))
    row = moments.subquery("moments")
    reached_at = (
        select(func.min(reached.created_at))
        .where(
            reached.ticket_id == row.c.ticket_id,
            macro_event(reached, REACHED_OUT),
            reached.created_at <= row.c.first_answer_at,
        )
        .scalar_subquery()
    )
    return select(
        row.c.ticket_id,
        row.c.created_at,
        month_key(row.c.created_at),
        seconds_between(row.c.created_at, row.c.responded_at),
        row.c.solved_at,
        row.c.solved_now,
        row.c.has_docs_link,
        row.c.first_answer_at,
        month_key(row.c.first_answer_at),
        seconds_between(reached_at, row.c.first_answer_at),
    )


def _outreach_rows(ticket_ids: Sequence[int] | None) -> Any:
    """Return a SELECT of `ticket_outreach_months` rows for some tickets (all when None)."""
    event, later = aliased(AuditEvent), aliased(AuditEvent)
    month = month_key(event.created_at)
    per_month = (
        select(
            event.ticket_id.label("ticket_id"),
            month.label("month"),
            func.min(case((event.macro == REACHED_OUT, event.created_at))).label("first_reached_at"),
            func.max(case((event.macro == EXPERT_RESPONDED, 1), else_=0)).label("responded"),
        )
        .where(event.action == MACRO_APPLIED, event.macro.in_((REACHED_OUT, EXPERT_RESPONDED)))
        .group_by(event.ticket_id, month)
    )
    if ticket_ids is not None:
        per_month = per_month.where(event.ticket_id.in_(ticket_ids))
    row = per_month.subquery("per_month")
    answered = (
        select(later.id)
        .where(
            later.ticket_id == row.c.ticket_id,
            macro_event(later, EXPERT_RESPONDED),
            later.created_at >= row.c.first_reached_at,
        )
        .exists()
    )
    return select(
        row.c.ticket_id, row.c.month, row.c.first_reached_at.is_not(None), answered, row.c.responded == 1
    )


_OUTREACH_COLUMNS = ["ticket_id", "month", "reached_out", "answered", "responded"]
_COLUMNS = [
    "ticket_id",
    "created_at",
    "created_month",
    "first_response_seconds",
    "solved_at",
    "solved_now",
    "has_docs_link",
    "first_answer_at",
    "first_answer_month",
    "expert_answer_seconds",
]


# what a facts row counts in `metrics_month_counts`
_COUNTED = (
    TicketFacts.created_month,
    TicketFacts.first_response_seconds,
    TicketFacts.solved_at,
    TicketFacts.solved_now,
    TicketFacts.has_docs_link,
)


def _counts_of(row: Any) -> Iterator[tuple[int, str, int]]:
    """The (month, measure, bucket) keys one facts row adds one to (mirrors `_month_counts`)."""
    created_month, seconds, solved_at, solved_now, has_docs_link = row
    yield created_month, "created", 0
    if seconds is not None:
        yield created_month, "first_response", bucket_of(seconds)
    if solved_now and solved_at is not None:
        solved_month = solved_at.year * 100 + solved_at.month
        yield solved_month, "solved", 0
        if has_docs_link:
            yield solved_month, "solved_docs", 0


def _month_counts() -> Any:
    """A SELECT of every `metrics_month_counts` row from the facts (mirrors `_counts_of`)."""
    f = TicketFacts
    solved_month = month_key(f.solved_at)
    bucket = duration_bucket(f.first_response_seconds)
    solved = and_(f.solved_now == true(), f.solved_at.is_not(None))
    return union_all(
        select(f.created_month, literal("created"), literal(0), func.count()).group_by(f.created_month),
        select(f.created_month, literal("first_response"), bucket, func.count())
        .where(f.first_response_seconds.is_not(None))
        .group_by(f.created_month, bucket),
        select(solved_month, literal("solved"), literal(0), func.count())
        .where(solved)
        .group_by(solved_month),
        select(solved_month, literal("solved_docs"), literal(0), func.count())
        .where(solved, f.has_docs_link == true())
        .group_by(solved_month),
    )


def _add_counts(connection: Connection | Session, changes: Counter[tuple[int, str, int]]) -> None:
    rows = [
        {"month": month, "measure": measure, "bucket": bucket, "tickets": change}
        for (month, measure, bucket), change in sorted(changes.items())
        if change
    ]
    if not rows:
        return
    dialect = (
        connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    )
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(MonthCount).values(rows)
    connection.execute(
        upsert.on_conflict_do_update(
            index_elements=["month", "measure", "bucket"],
            set_={"tickets": MonthCount.tickets + upsert.excluded.tickets},
        )
    )


def refresh(connection: Connection | Session, ticket_ids: Collection[int]) -> None:
    """Recompute the facts of these tickets from their current state and trail, and the month counts.

    The counts change by what the deleted rows counted and the inserted rows count, both as returned
    by the statements themselves, so concurrent refreshes of one ticket cannot count a row twice.
    """
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        changes: Counter[tuple[int, str, int]] = Counter()
        removed = connection.execute(
            delete(TicketFacts).where(TicketFacts.ticket_id.in_(chunk)).returning(*_COUNTED)
        )
        for row in removed:
            changes.subtract(_counts_of(row))
        added = connection.execute(
            insert(TicketFacts).from_select(_COLUMNS, _facts_rows(chunk)).returning(*_COUNTED)
        )
        for row in added:
            changes.update(_counts_of(row))
        _add_counts(connection, changes)
        connection.execute(delete(OutreachMonth).where(OutreachMonth.ticket_id.in_(chunk)))
        connection.execute(insert(OutreachMonth).from_select(_OUTREACH_COLUMNS, _outreach_rows(chunk)))


def rebuild(session: Session, docs_url_bases: Sequence[str] | None = None) -> int:
    """Recompute every ticket's facts from the trail; with `docs_url_bases`, store those prefixes first.

    Returns the number of tickets. One statement per table: fast enough for the migration's backfill.
    """
    session.flush()
    if docs_url_bases is not None:
        session.execute(delete(DocsUrlBase))
        for base in dict.fromkeys(base.strip().lower() for base in docs_url_bases if base.strip()):
            session.add(DocsUrlBase(base=base))
        session.flush()
    session.info.pop(_PENDING, None)
    session.execute(delete(TicketFacts))
    session.execute(insert(TicketFacts).from_select(_COLUMNS, _facts_rows(None)))
    session.execute(delete(MonthCount))
    session.execute(
        insert(MonthCount).from_select(["month", "measure", "bucket", "tickets"], _month_counts())
    )
    session.execute(delete(OutreachMonth))
    session.execute(insert(OutreachMonth).from_select(_OUTREACH_COLUMNS, _outreach_rows(None)))
    return session.scalar(select(func.count()).select_from(TicketFacts)) or 0


def stored_docs_url_bases(session: Session) -> list[str]:
    """Return the docs URL prefixes `has_docs_link` holds, sorted."""
    return sorted(session.scalars(select(DocsUrlBase.base)))


def changed(session: Session, ticket_id: int) -> None:
    """Note that a ticket changed: its facts are recomputed when the session next flushes."""
    session.info.setdefault(_PENDING, set()).add(ticket_id)


@event.listens_for(Session, "after_flush")
def _refresh_changed(session: Session, _context: Any) -> None:
    """Recompute the facts of the tickets changed since the last flush, in the same transaction."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh(session.connection(), pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
