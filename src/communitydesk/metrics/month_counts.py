"""What each month counts (`metrics_month_counts`, models.MonthCount), kept with the per-ticket facts.

A refresh changes the counts by what the facts and outreach-month rows it deleted and inserted count
(`counts_of`, `outreach_counts_of`, `add_counts`); a rebuild recomputes them all in SQL
(`all_month_counts`), which must agree with them. Every count is kept per ticket channel
(`tickets.channel`, which never changes) and over all channels (`ALL_CHANNELS`). Durations are counted per
duration bucket (`bucket_of`, `duration_bucket` in SQL), which the percentiles read back through
`bucket_floor`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, and_, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from communitydesk.metrics.models import MonthCount, OutreachMonth, TicketFacts
from communitydesk.metrics.sql import month_key
from communitydesk.tickets.models import Ticket


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


ALL_CHANNELS = "*"  # the `channel` of the counts over every channel (what the unfiltered series reads)

# what a row counts in `metrics_month_counts`: the columns `counts_of` reads, in its order, the ticket id
# (whose channel the counts go under) first
COUNTED = (
    TicketFacts.ticket_id,
    TicketFacts.created_month,
    TicketFacts.first_response_seconds,
    TicketFacts.solved_at,
    TicketFacts.solved_now,
    TicketFacts.has_docs_link,
    TicketFacts.first_answer_month,
    TicketFacts.expert_answer_seconds,
)
OUTREACH_COUNTED = (  # the same for `outreach_counts_of`
    OutreachMonth.ticket_id,
    OutreachMonth.month,
    OutreachMonth.reached_out,
    OutreachMonth.answered,
    OutreachMonth.responded,
)

CountKey = tuple[int, str, int, str]  # month, measure, bucket, channel


def counts_of(row: Any, channel: str) -> Iterator[CountKey]:
    """The keys a `COUNTED` row of a ticket of this channel adds one to (mirrors `all_month_counts`)."""
    _, created_month, seconds, solved_at, solved_now, has_docs_link, answer_month, answer_seconds = row
    keys = [(created_month, "created", 0)]
    if seconds is not None:
        keys.append((created_month, "first_response", bucket_of(seconds)))
    if solved_now and solved_at is not None:
        solved_month = solved_at.year * 100 + solved_at.month
        keys.append((solved_month, "solved", 0))
        if has_docs_link:
            keys.append((solved_month, "solved_docs", 0))
    if answer_seconds is not None:
        keys.append((answer_month, "expert_answer", bucket_of(answer_seconds)))
    return _in_channels(keys, channel)


def outreach_counts_of(row: Any, channel: str) -> Iterator[CountKey]:
    """The keys an `OUTREACH_COUNTED` row of a ticket of this channel adds one to."""
    _, month, *flags = row
    measures = ("reached_out", "answered", "responded")
    return _in_channels(
        [(month, measure, 0) for measure, flag in zip(measures, flags, strict=True) if flag], channel
    )


def _in_channels(keys: list[tuple[int, str, int]], channel: str) -> Iterator[CountKey]:
    for month, measure, bucket in keys:
        yield month, measure, bucket, channel
        yield month, measure, bucket, ALL_CHANNELS


def all_month_counts() -> Any:
    """A SELECT of every `metrics_month_counts` row from the facts and outreach months (mirrors
    `counts_of` and `outreach_counts_of`): each measure per channel, and over all channels."""
    f, o = TicketFacts, OutreachMonth
    solved_month = month_key(f.solved_at)
    solved = and_(f.solved_now == true(), f.solved_at.is_not(None))
    # (the ticket, the month, the measure, the duration bucket or None for 0, which rows count)
    measures: list[tuple[Any, Any, str, Any, ColumnElement[bool]]] = [
        (f.ticket_id, f.created_month, "created", None, true()),
        (f.ticket_id, f.created_month, "first_response", duration_bucket(f.first_response_seconds),
         f.first_response_seconds.is_not(None)),
        (f.ticket_id, solved_month, "solved", None, solved),
        (f.ticket_id, solved_month, "solved_docs", None, and_(solved, f.has_docs_link == true())),
        (f.ticket_id, f.first_answer_month, "expert_answer", duration_bucket(f.expert_answer_seconds),
         f.expert_answer_seconds.is_not(None)),
        (o.ticket_id, o.month, "reached_out", None, o.reached_out == true()),
        (o.ticket_id, o.month, "answered", None, o.answered == true()),
        (o.ticket_id, o.month, "responded", None, o.responded == true()),
    ]  # fmt: skip
    selects = []
    for ticket_id, month, measure, bucket, counted in measures:
        keys = [month] if bucket is None else [month, bucket]
        columns = (month, literal(measure), literal(0) if bucket is None else bucket)
        selects.append(select(*columns, literal(ALL_CHANNELS), func.count()).where(counted).group_by(*keys))
        selects.append(
            select(*columns, Ticket.channel, func.count())
            .join(Ticket, Ticket.id == ticket_id)
            .where(counted)
            .group_by(*keys, Ticket.channel)
        )
    return union_all(*selects)


def add_counts(connection: Connection | Session, changes: Counter[CountKey]) -> None:
    """Add these changes to the stored counts (an upsert per key; zero changes are skipped)."""
    rows = [
        {"month": month, "measure": measure, "bucket": bucket, "channel": channel, "tickets": change}
        for (month, measure, bucket, channel), change in sorted(changes.items())
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
            index_elements=["month", "measure", "bucket", "channel"],
            set_={"tickets": MonthCount.tickets + upsert.excluded.tickets},
        )
    )
