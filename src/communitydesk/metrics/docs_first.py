"""Docs-first answers: solved tickets, those answered with a docs link, and docs gaps filed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CTE, ColumnElement, and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from communitydesk.metrics import fact_rebuild
from communitydesk.metrics.filters import matching_tickets
from communitydesk.metrics.models import TicketFacts
from communitydesk.metrics.periods import (
    count_in,
    counts_by_period,
    filtered_months,
    from_month_counts,
    month_totals,
    share,
)
from communitydesk.metrics.schemas import DocsFirst, MetricsFilter, Period
from communitydesk.metrics.sql import buckets
from communitydesk.tickets.models import Note, Ticket, TicketLink

DOCS_ISSUE_LINK = "docs_issue"


def docs_first_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter, docs_url_bases: Sequence[str]
) -> dict[str, DocsFirst]:
    """Count solved tickets, those whose notes or links hold a docs URL, and docs gaps filed.

    From the facts when they were computed with these docs URL bases (the usual case: `desk metrics
    rebuild-facts` stores the configured ones), else from the notes and links themselves.
    """
    bucket = buckets(periods)
    wanted = sorted({base.strip().lower() for base in docs_url_bases if base.strip()})
    if wanted == fact_rebuild.stored_docs_url_bases(session) and from_month_counts(periods, flt):
        answers = month_totals(session, periods, ("solved", "solved_docs"), flt.channel)
        return _docs_first(session, periods, bucket, flt, answers)
    if wanted == fact_rebuild.stored_docs_url_bases(session) and filtered_months(periods, flt):
        return _docs_first(session, periods, bucket, flt, _solved_by_month(session, periods, flt))
    if wanted == fact_rebuild.stored_docs_url_bases(session):
        solved_fact, with_docs_fact = (
            count_in(bucket, TicketFacts, TicketFacts.solved_at, counted, flt,
                     TicketFacts.solved_now == true(), ticket_id=TicketFacts.ticket_id)
            for counted in (func.count(), func.count(case((TicketFacts.has_docs_link, 1))))
        )  # fmt: skip
        return _docs_first(
            session,
            periods,
            bucket,
            flt,
            counts_by_period(session, periods, bucket, solved_fact, with_docs_fact),
        )
    has_docs_link: ColumnElement[bool] = false()
    if docs_url_bases:
        # Uncorrelated: the database reads the notes and links once, not once per solved ticket.
        in_note = select(Note.ticket_id).where(
            or_(*(Note.body.icontains(base, autoescape=True) for base in docs_url_bases))
        )
        in_link = select(TicketLink.ticket_id).where(
            or_(*(TicketLink.target_url.istartswith(base, autoescape=True) for base in docs_url_bases))
        )
        has_docs_link = or_(Ticket.id.in_(in_note), Ticket.id.in_(in_link))
    solved_now = Ticket.status.in_(("solved", "closed"))
    with_docs_link = func.count(case((has_docs_link, Ticket.id)))
    answers = counts_by_period(
        session,
        periods,
        bucket,
        count_in(bucket, Ticket, Ticket.solved_at, func.count(), flt, solved_now),
        # in a CASE, not the WHERE: the solved tickets of the period drive the query, each probing the
        # docs tickets (read once), rather than every docs note probing the tickets of every period
        count_in(bucket, Ticket, Ticket.solved_at, with_docs_link, flt, solved_now),
    )
    return _docs_first(session, periods, bucket, flt, answers)


def _solved_by_month(session: Session, months: Sequence[Period], flt: MetricsFilter) -> dict[str, list[int]]:
    """Count the filter's solved tickets, and those with a docs link, by the month they were solved.

    The facts hold no solved month: one pass over the filter's solved tickets of the whole span, each
    labelled with its month by a CASE (a scalar subquery per month would read them once per month).
    """
    label = case(
        *((and_(TicketFacts.solved_at >= month.start, TicketFacts.solved_at < month.end), month.label)
          for month in months)
    )  # fmt: skip
    rows = session.execute(
        select(label, func.count(), func.count(case((TicketFacts.has_docs_link, 1))))
        .where(
            TicketFacts.solved_at >= min(month.start for month in months),
            TicketFacts.solved_at < max(month.end for month in months),
            TicketFacts.solved_now == true(),
            TicketFacts.ticket_id.in_(matching_tickets(flt)),
        )
        .group_by(label)
    )
    counts = {str(row[0]): [int(row[1]), int(row[2])] for row in rows if row[0] is not None}
    return {month.label: counts.get(month.label, [0, 0]) for month in months}


def _docs_first(
    session: Session,
    periods: Sequence[Period],
    bucket: CTE,
    flt: MetricsFilter,
    answers: dict[str, list[int]],
) -> dict[str, DocsFirst]:
    """Return docs-first from the (solved, with docs link) counts per period, adding the docs gaps filed."""
    narrowed, of_channel = flt, []
    if flt.channel_only:
        # Docs issues are few: looking up each one's ticket beats listing the channel's tickets first.
        narrowed = MetricsFilter()
        of_channel.append(exists().where(Ticket.id == TicketLink.ticket_id, Ticket.channel == flt.channel))
    gaps = count_in(bucket, TicketLink, TicketLink.created_at, func.count(TicketLink.id), narrowed,
                    TicketLink.kind == DOCS_ISSUE_LINK, *of_channel,
                    ticket_id=TicketLink.ticket_id)  # fmt: skip
    filed = counts_by_period(session, periods, bucket, gaps)
    result = {}
    for period in periods:
        (solved_count, with_link), (gaps_filed,) = answers[period.label], filed[period.label]
        result[period.label] = DocsFirst(
            solved=solved_count,
            with_docs_link=with_link,
            share=share(with_link, solved_count),
            docs_gaps_filed=gaps_filed,
        )
    return result
