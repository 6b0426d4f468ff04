"""Query helpers every per-period metric shares: counts per period bucket, and the facts' month counts.

Calendar months unfiltered or filtered by channel alone are answered from `metrics_month_counts` (kept per
channel and over all channels) and the facts' index for percentiles; other filters read the facts' month
columns and `ticket_outreach_months` of the filter's tickets; other periods the rows themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CTE, ColumnElement, ScalarSelect, case, exists, select
from sqlalchemy.orm import Session

from communitydesk.metrics.filters import matching_tickets, ticket_conditions
from communitydesk.metrics.models import MonthCount, TicketFacts
from communitydesk.metrics.month_counts import ALL_CHANNELS, bucket_floor
from communitydesk.metrics.schemas import Durations, MetricsFilter, Period
from communitydesk.metrics.sql import in_bucket, percentiles_from_buckets
from communitydesk.tickets.models import Ticket


def count_in(
    bucket: CTE,
    source: Any,
    time_column: Any,
    counted: ColumnElement[int],
    flt: MetricsFilter,
    *conditions: ColumnElement[bool],
    ticket_id: Any = None,
) -> ScalarSelect[int]:
    """Return a count over one table's rows in the bucket's time range, as a subquery per bucket row.

    A scalar subquery per bucket reads one index range per period with no GROUP BY: grouping a join on
    SQLite sorts every matching row first, many times slower on a year of tickets.
    """
    query = select(counted).select_from(source).where(in_bucket(time_column, bucket), *conditions)
    if flt.narrows and ticket_id is not None:
        query = query.where(ticket_id.in_(matching_tickets(flt)))
    elif flt.narrows:
        query = query.where(*ticket_conditions(flt))
    return query.correlate(bucket).scalar_subquery()


def counts_by_period(
    session: Session, periods: Sequence[Period], bucket: CTE, *counts: ScalarSelect[int]
) -> dict[str, list[int]]:
    """Run `count_in` subqueries over the bucket; every period gets its counts, zeros when it has no row."""
    rows = {
        row[0]: [int(value or 0) for value in row[1:]]
        for row in session.execute(select(bucket.c.label, *counts))
    }
    return {period.label: rows.get(period.label, [0] * len(counts)) for period in periods}


def calendar_months(periods: Sequence[Period]) -> bool:
    """Whether every period is exactly one calendar month: the facts' month columns can answer."""
    return all(period.is_calendar_month for period in periods)


def from_month_counts(periods: Sequence[Period], flt: MetricsFilter) -> bool:
    """Whether `metrics_month_counts` can answer: calendar months, unfiltered or filtered by channel alone."""
    return calendar_months(periods) and (not flt.narrows or flt.channel_only)


def filtered_months(periods: Sequence[Period], flt: MetricsFilter) -> bool:
    """Whether the facts' month columns, narrowed to the filter's tickets, should answer."""
    return flt.narrows and calendar_months(periods)


def month_label(months: Sequence[Period], column: Any) -> ColumnElement[Any]:
    """Return the label of the month a YYYYMM column holds (NULL for other months)."""
    return case({month.month_key: month.label for month in months}, value=column)


def count_by_month(
    session: Session,
    months: Sequence[Period],
    month: Any,
    ticket_id: Any,
    flt: MetricsFilter,
    *counted: ColumnElement[int],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[int]]:
    """Count facts rows per calendar month (a YYYYMM column), of the tickets the filter matches."""
    keys = {period.month_key: period.label for period in months}
    query = select(month, *counted).where(month.in_(keys), *where).group_by(month)
    if flt.narrows:
        # The filter's tickets drive the query (the facts' primary key), not every row of the months.
        query = query.where(ticket_id.in_(matching_tickets(flt)))
    rows = {keys[int(row[0])]: [int(value or 0) for value in row[1:]] for row in session.execute(query)}
    return {period.label: rows.get(period.label, [0] * len(counted)) for period in months}


def month_counts(
    session: Session, months: Sequence[Period], measures: Sequence[str], channel: str | None = None
) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Return the (bucket, tickets) rows of `metrics_month_counts` per (month label, measure), of one
    channel's tickets or of all (None)."""
    by_key = {month.month_key: month.label for month in months}
    counts: dict[tuple[str, str], list[tuple[int, int]]] = {
        (month.label, measure): [] for month in months for measure in measures
    }
    for month, measure, bucket, tickets in session.execute(
        select(MonthCount.month, MonthCount.measure, MonthCount.bucket, MonthCount.tickets).where(
            MonthCount.month.in_(by_key),
            MonthCount.measure.in_(measures),
            MonthCount.channel == (channel or ALL_CHANNELS),
            MonthCount.tickets != 0,
        )
    ):
        counts[by_key[month], measure].append((int(bucket), int(tickets)))
    return counts


def month_totals(
    session: Session, months: Sequence[Period], measures: Sequence[str], channel: str | None = None
) -> dict[str, list[int]]:
    """Return each month's count of every measure (summed over buckets), of one channel or all (None)."""
    counts = month_counts(session, months, measures, channel)
    return {
        month.label: [sum(n for _, n in counts[month.label, measure]) for measure in measures]
        for month in months
    }


def of_channel(channel: str | None) -> tuple[ColumnElement[bool], ...]:
    """The condition that keeps the facts rows of one channel's tickets (none for all channels).

    Correlated, so that stepping through a bucket in index order checks each row's ticket: an IN list of
    the channel's tickets would read all of them first.
    """
    if channel is None:
        return ()
    return (exists().where(Ticket.id == TicketFacts.ticket_id, Ticket.channel == channel),)


def created_and_first_response_by_month(
    session: Session, months: Sequence[Period], channel: str | None = None, *, durations: bool = True
) -> tuple[dict[str, int], dict[str, Durations]]:
    """Tickets created and time to first response per month, of one channel's tickets or all (None),
    from the month counts and the index on (created_month, first_response_seconds), which holds each
    month's durations in order."""
    measures = ("created", "first_response") if durations else ("created",)
    counts = month_counts(session, months, measures, channel)
    created = {month.label: sum(n for _, n in counts[month.label, "created"]) for month in months}
    if not durations:
        return created, {}
    return created, percentiles_from_buckets(
        session,
        months,
        TicketFacts.created_month,
        TicketFacts.first_response_seconds,
        {month.label: counts[month.label, "first_response"] for month in months},
        bucket_floor,
        *of_channel(channel),
    )


def share(part: int, whole: int) -> float | None:
    """Return part / whole to four places, or None when there is no whole."""
    return round(part / whole, 4) if whole else None
