"""What each month counts (`metrics_month_counts`, models.MonthCount), kept with the per-ticket facts.

A refresh changes the counts by what the facts rows it deleted and inserted count (`counts_of`, `add_counts`);
a rebuild recomputes them all from the facts in SQL (`all_month_counts`), which must agree with
`counts_of`. First responses are counted per duration bucket (`bucket_of`, `duration_bucket` in SQL), which
the percentiles read back through `bucket_floor`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Integer, and_, func, literal, select, true, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from communitydesk.metrics.models import MonthCount, TicketFacts
from communitydesk.metrics.sql import month_key


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


# what a facts row counts in `metrics_month_counts`: the columns `counts_of` reads, in its order
COUNTED = (
    TicketFacts.created_month,
    TicketFacts.first_response_seconds,
    TicketFacts.solved_at,
    TicketFacts.solved_now,
    TicketFacts.has_docs_link,
)


def counts_of(row: Any) -> Iterator[tuple[int, str, int]]:
    """The (month, measure, bucket) keys one row of `COUNTED` adds one to (mirrors `all_month_counts`)."""
    created_month, seconds, solved_at, solved_now, has_docs_link = row
    yield created_month, "created", 0
    if seconds is not None:
        yield created_month, "first_response", bucket_of(seconds)
    if solved_now and solved_at is not None:
        solved_month = solved_at.year * 100 + solved_at.month
        yield solved_month, "solved", 0
        if has_docs_link:
            yield solved_month, "solved_docs", 0


def all_month_counts() -> Any:
    """A SELECT of every `metrics_month_counts` row from the facts (mirrors `counts_of`)."""
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


def add_counts(connection: Connection | Session, changes: Counter[tuple[int, str, int]]) -> None:
    """Add these changes to the stored counts (an upsert per key; zero changes are skipped)."""
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
