"""Outreach metrics: tickets reached out to, tracked expert posts, expert responses, answered outreach."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, distinct, exists, func, true
from sqlalchemy.orm import Session, aliased

from communitydesk.experts import service as experts
from communitydesk.experts.schemas import CHANNEL_PLATFORM
from communitydesk.metrics.milestones import EXPERT_RESPONDED, REACHED_OUT, macro_event
from communitydesk.metrics.models import OutreachMonth
from communitydesk.metrics.periods import (
    calendar_months,
    count_by_month,
    count_in,
    counts_by_period,
    from_month_counts,
    month_totals,
    share,
)
from communitydesk.metrics.schemas import MetricsFilter, Outreach, Period
from communitydesk.metrics.sql import buckets
from communitydesk.tickets.models import AuditEvent


def tracked_outreach_count(session: Session, periods: Sequence[Period], flt: MetricsFilter) -> dict[str, int]:
    """Count expert posts tracked without an outreach ticket (experts.answers) in each period.

    They have a platform and an expert but no ticket: a channel filter narrows them by the channel's
    platform, an expert filter by name, and a stage, group or tag filter leaves none.
    """
    platform = CHANNEL_PLATFORM.get(flt.channel) if flt.channel else None
    if flt.stage or flt.group or flt.tag or (flt.channel and platform is None):
        return {period.label: 0 for period in periods}
    return {
        period.label: experts.count_tracked_outreach(
            session, period.start, period.end, platform=platform, expert_name=flt.expert
        )
        for period in periods
    }


def outreach_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, Outreach]:
    """Count outreach, expert responses and answered outreach in each period."""
    tracked = tracked_outreach_count(session, periods, flt)
    if calendar_months(periods):
        return _outreach(periods, _outreach_by_month(session, periods, flt), tracked)
    bucket = buckets(periods)
    reached, later_answer, responded = aliased(AuditEvent), aliased(AuditEvent), aliased(AuditEvent)
    answered = exists().where(
        later_answer.ticket_id == reached.ticket_id,
        macro_event(later_answer, EXPERT_RESPONDED),
        later_answer.created_at >= reached.created_at,
    )
    reached_in = (reached, reached.created_at)
    counts = counts_by_period(
        session,
        periods,
        bucket,
        count_in(bucket, *reached_in, func.count(distinct(reached.ticket_id)), flt,
                 macro_event(reached, REACHED_OUT), ticket_id=reached.ticket_id),
        count_in(bucket, *reached_in, func.count(distinct(case((answered, reached.ticket_id)))), flt,
                 macro_event(reached, REACHED_OUT), ticket_id=reached.ticket_id),
        count_in(bucket, responded, responded.created_at, func.count(distinct(responded.ticket_id)), flt,
                 macro_event(responded, EXPERT_RESPONDED), ticket_id=responded.ticket_id),
    )  # fmt: skip
    return _outreach(periods, counts, tracked)


def _outreach_by_month(
    session: Session, months: Sequence[Period], flt: MetricsFilter
) -> dict[str, list[int]]:
    """Count tickets reached out to, answered and responded to per calendar month, from the facts: the
    month counts when they answer, else the outreach months of the filter's tickets."""
    if from_month_counts(months, flt):
        return month_totals(session, months, ("reached_out", "answered", "responded"), flt.channel)
    flags = (OutreachMonth.reached_out, OutreachMonth.answered, OutreachMonth.responded)
    return count_by_month(
        session,
        months,
        OutreachMonth.month,
        OutreachMonth.ticket_id,
        flt,
        *(func.count(case((flag == true(), 1))) for flag in flags),
    )


def _outreach(
    periods: Sequence[Period], counts: dict[str, list[int]], tracked: dict[str, int]
) -> dict[str, Outreach]:
    result = {}
    for period in periods:
        tickets, answered_count, responded_count = counts[period.label]
        result[period.label] = Outreach(
            ticket_outreach=tickets,
            tracked_outreach=tracked[period.label],
            outreach=tickets + tracked[period.label],
            expert_responded=responded_count,
            answered=answered_count,
            response_rate=share(answered_count, tickets),
        )
    return result
