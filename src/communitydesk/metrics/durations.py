"""Duration metrics: time to an expert's answer and time to first response, as count, median and p90."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from communitydesk.metrics.filters import matching_tickets
from communitydesk.metrics.models import TicketFacts
from communitydesk.metrics.month_counts import bucket_floor
from communitydesk.metrics.periods import (
    created_and_first_response_by_month,
    filtered_months,
    from_month_counts,
    month_counts,
    month_label,
    of_channel,
)
from communitydesk.metrics.schemas import Durations, MetricsFilter, Period
from communitydesk.metrics.sql import (
    buckets,
    in_bucket,
    percentiles,
    percentiles_from_buckets,
    percentiles_of_rows,
)


def expert_answer_time_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, Durations]:
    """Time from a ticket's first outreach to its first `Expert Responded`, by the answer's period."""
    if from_month_counts(periods, flt):
        counts = month_counts(session, periods, ("expert_answer",), flt.channel)
        return percentiles_from_buckets(
            session,
            periods,
            TicketFacts.first_answer_month,
            TicketFacts.expert_answer_seconds,
            {month.label: counts[month.label, "expert_answer"] for month in periods},
            bucket_floor,
            *of_channel(flt.channel),
        )
    if filtered_months(periods, flt):
        return _durations_by_month(
            session, periods, flt, TicketFacts.first_answer_month, TicketFacts.expert_answer_seconds
        )
    return _durations(session, periods, flt, TicketFacts.first_answer_at, TicketFacts.expert_answer_seconds)


def first_response_time_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, Durations]:
    """Time from a ticket's creation to its first response, for tickets created in each period."""
    if from_month_counts(periods, flt):
        return created_and_first_response_by_month(session, periods, flt.channel)[1]
    if filtered_months(periods, flt):
        return _durations_by_month(
            session, periods, flt, TicketFacts.created_month, TicketFacts.first_response_seconds
        )
    return _durations(session, periods, flt, TicketFacts.created_at, TicketFacts.first_response_seconds)


def _durations(
    session: Session,
    periods: Sequence[Period],
    flt: MetricsFilter,
    moment: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    seconds: InstrumentedAttribute[float | None],
) -> dict[str, Durations]:
    """Percentiles of a per-ticket duration, by the period its `moment` falls in (the filtered path)."""
    bucket = buckets(periods)
    durations = (
        select(bucket.c.label, seconds.label("seconds"))
        .select_from(bucket)
        .join(TicketFacts, in_bucket(moment, bucket))
    )
    if flt.narrows:
        durations = durations.where(TicketFacts.ticket_id.in_(matching_tickets(flt)))
    return percentiles(session, periods, durations)


def _durations_by_month(
    session: Session,
    months: Sequence[Period],
    flt: MetricsFilter,
    month: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
    seconds: InstrumentedAttribute[float | None],
) -> dict[str, Durations]:
    """Percentiles of a per-ticket duration by a month column of the facts, for the filter's tickets."""
    rows = session.execute(
        select(month_label(months, month), seconds).where(
            month.in_([period.month_key for period in months]),
            seconds.is_not(None),
            TicketFacts.ticket_id.in_(matching_tickets(flt)),
        )
    )
    return percentiles_of_rows(months, ((str(label), value) for label, value in rows))
