"""Every metric of a period, and the monthly series; definitions in docs/metrics.md.

Each metric lives with its domain (`counts`, `outreach`, `durations`, `docs_first`, `trends`) and its
`*_by_period` function runs one grouped query over a list of periods, so the summary of one period and
the monthly series share their SQL. Tickets are narrowed by `MetricsFilter` (channel, stage, group,
expert, tag) in every metric (`filters`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from communitydesk.metrics.counts import tickets_created_by_period
from communitydesk.metrics.docs_first import docs_first_by_period
from communitydesk.metrics.durations import expert_answer_time_by_period, first_response_time_by_period
from communitydesk.metrics.outreach import outreach_by_period
from communitydesk.metrics.periods import created_and_first_response_by_month, from_month_counts
from communitydesk.metrics.schemas import MetricsFilter, MonthRow, Period, Summary


def summary(session: Session, period: Period, flt: MetricsFilter, docs_url_bases: Sequence[str]) -> Summary:
    """Return every single-number metric of one period."""
    periods = [period]
    return Summary(
        period=period.label,
        start=period.start,
        end=period.end,
        tickets_created=tickets_created_by_period(session, periods, flt)[period.label],
        outreach=outreach_by_period(session, periods, flt)[period.label],
        time_to_expert_answer=expert_answer_time_by_period(session, periods, flt)[period.label],
        time_to_first_response=first_response_time_by_period(session, periods, flt)[period.label],
        docs_first=docs_first_by_period(session, periods, flt, docs_url_bases)[period.label],
    )


def monthly_series(
    session: Session, months: Sequence[Period], flt: MetricsFilter, docs_url_bases: Sequence[str]
) -> list[MonthRow]:
    """Return one row of every metric per month, oldest first; months without tickets are zeros."""
    if from_month_counts(months, flt):
        # one read of the month counts (of the channel, or all) gives both
        created, response_time = created_and_first_response_by_month(session, months, flt.channel)
    else:
        created = tickets_created_by_period(session, months, flt)
        response_time = first_response_time_by_period(session, months, flt)
    outreach = outreach_by_period(session, months, flt)
    answer_time = expert_answer_time_by_period(session, months, flt)
    docs = docs_first_by_period(session, months, flt, docs_url_bases)
    return [
        MonthRow(
            month=month.label,
            tickets_created=created[month.label],
            solved=docs[month.label].solved,
            ticket_outreach=outreach[month.label].ticket_outreach,
            tracked_outreach=outreach[month.label].tracked_outreach,
            outreach=outreach[month.label].outreach,
            expert_responded=outreach[month.label].expert_responded,
            answered=outreach[month.label].answered,
            response_rate=outreach[month.label].response_rate,
            expert_answer_median_seconds=answer_time[month.label].median_seconds,
            expert_answer_p90_seconds=answer_time[month.label].p90_seconds,
            first_response_median_seconds=response_time[month.label].median_seconds,
            first_response_p90_seconds=response_time[month.label].p90_seconds,
            with_docs_link=docs[month.label].with_docs_link,
            docs_link_share=docs[month.label].share,
            docs_gaps_filed=docs[month.label].docs_gaps_filed,
        )
        for month in months
    ]
