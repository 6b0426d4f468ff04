"""Ticket counts: tickets created per period, and a period's tickets by status and by channel."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from communitydesk.metrics.filters import ticket_conditions
from communitydesk.metrics.models import TicketFacts
from communitydesk.metrics.periods import (
    count_by_month,
    count_in,
    counts_by_period,
    created_and_first_response_by_month,
    filtered_months,
    from_month_counts,
)
from communitydesk.metrics.schemas import Count, MetricsFilter, Period
from communitydesk.metrics.sql import buckets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import CHANNELS, STATUSES


def tickets_created_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, int]:
    """Count tickets created in each period (a ticket's time is its first mention's)."""
    if from_month_counts(periods, flt):
        return created_and_first_response_by_month(session, periods, flt.channel, durations=False)[0]
    if filtered_months(periods, flt):
        by_month = count_by_month(
            session, periods, TicketFacts.created_month, TicketFacts.ticket_id, flt, func.count()
        )
        return {label: values[0] for label, values in by_month.items()}
    bucket = buckets(periods)
    # count(*), not count(id): PostgreSQL then counts from the index alone
    created = count_in(bucket, Ticket, Ticket.created_at, func.count(), flt)
    return {label: values[0] for label, values in counts_by_period(session, periods, bucket, created).items()}


def tickets_by_status(session: Session, period: Period, flt: MetricsFilter) -> list[Count]:
    """Count tickets created in the period by their status now; every status is listed."""
    return _breakdown(session, period, flt, Ticket.status, STATUSES)


def tickets_by_channel(session: Session, period: Period, flt: MetricsFilter) -> list[Count]:
    """Count tickets created in the period by channel; every channel is listed."""
    return _breakdown(session, period, flt, Ticket.channel, CHANNELS)


def _breakdown(
    session: Session,
    period: Period,
    flt: MetricsFilter,
    column: InstrumentedAttribute[str],
    keys: Sequence[str],
) -> list[Count]:
    rows = session.execute(
        select(column, func.count(Ticket.id))
        .where(Ticket.created_at >= period.start, Ticket.created_at < period.end, *ticket_conditions(flt))
        .group_by(column)
    )
    counts = {key: int(count) for key, count in rows}
    ordered = [*keys, *sorted(set(counts) - set(keys))]
    return [Count(key=key, count=counts.get(key, 0)) for key in ordered]
