"""Metrics computed in the database for any periods and filters; definitions in docs/metrics.md.

Each `*_by_period` function runs one grouped query over a list of periods, so the summary of one period
and the monthly series share their SQL. Tickets are narrowed by `MetricsFilter` (channel, stage, group,
expert, tag) in every metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    ScalarSelect,
    Select,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from communitydesk.experts import service as experts
from communitydesk.experts.schemas import CHANNEL_PLATFORM
from communitydesk.metrics import facts
from communitydesk.metrics.facts import (
    EXPERT_RESPONDED,
    REACHED_OUT,
    macro_event,
)
from communitydesk.metrics.models import MonthCount, OutreachMonth, TicketFacts
from communitydesk.metrics.schemas import (
    Count,
    DocsFirst,
    Durations,
    MetricsFilter,
    MonthRow,
    Outreach,
    Period,
    Summary,
    TagTrend,
    TagTrends,
)
from communitydesk.metrics.sql import (
    buckets,
    in_bucket,
    percentiles,
    percentiles_by_month,
    percentiles_from_buckets,
)
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink, TicketTag
from communitydesk.tickets.schemas import CHANNELS, STATUSES
from communitydesk.tickets.service import normalize_tag

DOCS_ISSUE_LINK = "docs_issue"
# How notes name the expert: the `Reached out to expert` macro's note and the expert-response note.
_EXPERT_NOTE_PATTERNS = (
    "Reached out to {name} in ",
    "Reached out to {name} about ",
    "Expert response by {name} (",
    "Expert response by {name}.",
)


def make_filter(
    *, channel: str = "", stage: str = "", group: str = "", expert: str = "", tag: str = ""
) -> MetricsFilter:
    """Return a filter from user input (blank is any); ValueError for an unknown channel or a bad tag."""
    channel, stage, group, expert, tag = (value.strip() for value in (channel, stage, group, expert, tag))
    if channel and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return MetricsFilter(
        channel=channel or None,
        stage=stage[:100] or None,
        group=group[:100] or None,
        expert=expert[:200] or None,
        tag=normalize_tag(tag) if tag else None,
    )


def ticket_conditions(flt: MetricsFilter) -> list[ColumnElement[bool]]:
    """Return the conditions on `Ticket` that a filter sets."""
    conditions: list[ColumnElement[bool]] = []
    if flt.channel:
        conditions.append(Ticket.channel == flt.channel)
    if flt.stage:
        conditions.append(Ticket.stage == flt.stage)
    if flt.group:
        conditions.append(Ticket.group_name == flt.group)
    if flt.tag:
        tagged = select(TicketTag.ticket_id).where(TicketTag.name == normalize_tag(flt.tag))
        conditions.append(Ticket.id.in_(tagged))
    if flt.expert:
        note = aliased(AuditEvent)
        name = flt.expert.strip()
        names_expert = or_(
            *(
                note.new_value.istartswith(pattern.format(name=name), autoescape=True)
                for pattern in _EXPERT_NOTE_PATTERNS
            )
        )
        conditions.append(
            exists().where(note.ticket_id == Ticket.id, note.action == "note_added", names_expert)
        )
    return conditions


def matching_tickets(flt: MetricsFilter) -> Select[int]:
    """Return the ids of the tickets a filter keeps, as an uncorrelated subquery (read once per query)."""
    return select(Ticket.id).where(*ticket_conditions(flt))


def _count_in(
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


def _counts(
    session: Session, periods: Sequence[Period], bucket: CTE, *counts: ScalarSelect[int]
) -> dict[str, list[int]]:
    rows = {
        row[0]: [int(value or 0) for value in row[1:]]
        for row in session.execute(select(bucket.c.label, *counts))
    }
    return {period.label: rows.get(period.label, [0] * len(counts)) for period in periods}


def tickets_created_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, int]:
    """Count tickets created in each period (a ticket's time is its first mention's)."""
    if _by_month(periods, flt):
        return _created_and_first_response_by_month(session, periods, durations=False)[0]
    bucket = buckets(periods)
    # count(*), not count(id): PostgreSQL then counts from the index alone
    created = _count_in(bucket, Ticket, Ticket.created_at, func.count(), flt)
    return {label: values[0] for label, values in _counts(session, periods, bucket, created).items()}


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
    if _by_month(periods, flt):
        return _outreach(periods, _outreach_by_month(session, periods), tracked)
    bucket = buckets(periods)
    reached, later_answer, responded = aliased(AuditEvent), aliased(AuditEvent), aliased(AuditEvent)
    answered = exists().where(
        later_answer.ticket_id == reached.ticket_id,
        macro_event(later_answer, EXPERT_RESPONDED),
        later_answer.created_at >= reached.created_at,
    )
    reached_in = (reached, reached.created_at)
    counts = _counts(
        session,
        periods,
        bucket,
        _count_in(bucket, *reached_in, func.count(distinct(reached.ticket_id)), flt,
                  macro_event(reached, REACHED_OUT), ticket_id=reached.ticket_id),
        _count_in(bucket, *reached_in, func.count(distinct(case((answered, reached.ticket_id)))), flt,
                  macro_event(reached, REACHED_OUT), ticket_id=reached.ticket_id),
        _count_in(bucket, responded, responded.created_at, func.count(distinct(responded.ticket_id)), flt,
                  macro_event(responded, EXPERT_RESPONDED), ticket_id=responded.ticket_id),
    )  # fmt: skip
    return _outreach(periods, counts, tracked)


def _outreach_by_month(session: Session, months: Sequence[Period]) -> dict[str, list[int]]:
    """Count tickets reached out to, answered and responded to per calendar month, from the facts."""
    by_key = {month.month_key: month.label for month in months}
    flags = (OutreachMonth.reached_out, OutreachMonth.answered, OutreachMonth.responded)
    counted = {
        by_key[row[0]]: [int(value) for value in row[1:]]
        for row in session.execute(
            select(OutreachMonth.month, *(func.count(case((flag == true(), 1))) for flag in flags))
            .where(OutreachMonth.month.in_(by_key))
            .group_by(OutreachMonth.month)
        )
    }
    return {month.label: counted.get(month.label, [0, 0, 0]) for month in months}


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
            response_rate=_share(answered_count, tickets),
        )
    return result


def expert_answer_time_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, Durations]:
    """Time from a ticket's first outreach to its first `Expert Responded`, by the answer's period."""
    if _by_month(periods, flt):
        return percentiles_by_month(
            session, periods, TicketFacts.first_answer_month, TicketFacts.expert_answer_seconds
        )[0]
    bucket = buckets(periods)
    durations = (
        select(bucket.c.label, TicketFacts.expert_answer_seconds.label("seconds"))
        .select_from(bucket)
        .join(TicketFacts, in_bucket(TicketFacts.first_answer_at, bucket))
    )
    if flt.narrows:
        durations = durations.where(TicketFacts.ticket_id.in_(matching_tickets(flt)))
    return percentiles(session, periods, durations)


def _by_month(periods: Sequence[Period], flt: MetricsFilter) -> bool:
    """Whether the facts' month columns can answer: unfiltered calendar months."""
    return not flt.narrows and all(period.is_calendar_month for period in periods)


def _created_and_first_response_by_month(
    session: Session, months: Sequence[Period], *, durations: bool = True
) -> tuple[dict[str, int], dict[str, Durations]]:
    """Tickets created and time to first response per month, from the month counts and the index on
    (created_month, first_response_seconds), which holds each month's durations in order."""
    counts = _month_counts(session, months, ("created", "first_response"))
    created = {month.label: sum(n for _, n in counts[month.label, "created"]) for month in months}
    if not durations:
        return created, {}
    return created, percentiles_from_buckets(
        session,
        months,
        TicketFacts.created_month,
        TicketFacts.first_response_seconds,
        {month.label: counts[month.label, "first_response"] for month in months},
        facts.bucket_floor,
    )


def _month_counts(
    session: Session, months: Sequence[Period], measures: Sequence[str]
) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Return the (bucket, tickets) rows of `metrics_month_counts` per (month label, measure)."""
    by_key = {month.month_key: month.label for month in months}
    counts: dict[tuple[str, str], list[tuple[int, int]]] = {
        (month.label, measure): [] for month in months for measure in measures
    }
    for month, measure, bucket, tickets in session.execute(
        select(MonthCount.month, MonthCount.measure, MonthCount.bucket, MonthCount.tickets).where(
            MonthCount.month.in_(by_key), MonthCount.measure.in_(measures), MonthCount.tickets != 0
        )
    ):
        counts[by_key[month], measure].append((int(bucket), int(tickets)))
    return counts


def first_response_time_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter
) -> dict[str, Durations]:
    """Time from a ticket's creation to its first response, for tickets created in each period."""
    if _by_month(periods, flt):
        return _created_and_first_response_by_month(session, periods)[1]
    bucket = buckets(periods)
    durations = (
        select(bucket.c.label, TicketFacts.first_response_seconds.label("seconds"))
        .select_from(bucket)
        .join(TicketFacts, in_bucket(TicketFacts.created_at, bucket))
    )
    if flt.narrows:
        durations = durations.where(TicketFacts.ticket_id.in_(matching_tickets(flt)))
    return percentiles(session, periods, durations)


def docs_first_by_period(
    session: Session, periods: Sequence[Period], flt: MetricsFilter, docs_url_bases: Sequence[str]
) -> dict[str, DocsFirst]:
    """Count solved tickets, those whose notes or links hold a docs URL, and docs gaps filed.

    From the facts when they were computed with these docs URL bases (the usual case: `desk metrics
    rebuild-facts` stores the configured ones), else from the notes and links themselves.
    """
    bucket = buckets(periods)
    wanted = sorted({base.strip().lower() for base in docs_url_bases if base.strip()})
    if wanted == facts.stored_docs_url_bases(session) and _by_month(periods, flt):
        counts = _month_counts(session, periods, ("solved", "solved_docs"))
        answers = {
            month.label: [
                sum(n for _, n in counts[month.label, measure]) for measure in ("solved", "solved_docs")
            ]
            for month in periods
        }
        return _docs_first(session, periods, bucket, flt, answers)
    if wanted == facts.stored_docs_url_bases(session):
        solved_fact, with_docs_fact = (
            _count_in(bucket, TicketFacts, TicketFacts.solved_at, counted, flt,
                      TicketFacts.solved_now == true(), ticket_id=TicketFacts.ticket_id)
            for counted in (func.count(), func.count(case((TicketFacts.has_docs_link, 1))))
        )  # fmt: skip
        return _docs_first(
            session, periods, bucket, flt, _counts(session, periods, bucket, solved_fact, with_docs_fact)
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
    answers = _counts(
        session,
        periods,
        bucket,
        _count_in(bucket, Ticket, Ticket.solved_at, func.count(), flt, solved_now),
        # in a CASE, not the WHERE: the solved tickets of the period drive the query, each probing the
        # docs tickets (read once), rather than every docs note probing the tickets of every period
        _count_in(bucket, Ticket, Ticket.solved_at, with_docs_link, flt, solved_now),
    )
    return _docs_first(session, periods, bucket, flt, answers)


def _docs_first(
    session: Session,
    periods: Sequence[Period],
    bucket: CTE,
    flt: MetricsFilter,
    answers: dict[str, list[int]],
) -> dict[str, DocsFirst]:
    """Return docs-first from the (solved, with docs link) counts per period, adding the docs gaps filed."""
    gaps = _count_in(bucket, TicketLink, TicketLink.created_at, func.count(TicketLink.id), flt,
                     TicketLink.kind == DOCS_ISSUE_LINK, ticket_id=TicketLink.ticket_id)  # fmt: skip
    filed = _counts(session, periods, bucket, gaps)
    result = {}
    for period in periods:
        (solved_count, with_link), (gaps_filed,) = answers[period.label], filed[period.label]
        result[period.label] = DocsFirst(
            solved=solved_count,
            with_docs_link=with_link,
            share=_share(with_link, solved_count),
            docs_gaps_filed=gaps_filed,
        )
    return result


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
    if _by_month(months, flt):
        created, response_time = _created_and_first_response_by_month(session, months)
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


def tag_trends(
    session: Session, as_of: datetime, flt: MetricsFilter, *, days: int = 30, min_volume: int = 1
) -> TagTrends:
    """Compare each tag's use (tags added) in the `days` before `as_of` with the `days` before that.

    Tags used at least `min_volume` times in either window are listed, the largest rise first.
    """
    middle = as_of - timedelta(days=days)
    start = middle - timedelta(days=days)

    def uses(window: str, since: datetime, until: datetime) -> Select[str, str, int]:
        # A plain count per tag and window reads the (name, created_at) index in order, with no sort
        # and no per-row CASE: several times faster than one pass with two conditional sums.
        query: Select[str, str, int] = (
            select(literal(window).label("window"), TicketTag.name, func.count())
            .where(TicketTag.created_at >= since, TicketTag.created_at < until)
            .group_by(TicketTag.name)
        )
        if flt.narrows:
            query = query.where(TicketTag.ticket_id.in_(matching_tickets(flt)))
        return query

    counts: dict[str, dict[str, int]] = {}
    for window, name, count in session.execute(
        union_all(uses("recent", middle, as_of), uses("previous", start, middle))
    ):
        counts.setdefault(name, {})[window] = int(count)
    tags = [
        TagTrend(
            tag=name,
            recent=(recent := used.get("recent", 0)),
            previous=(previous := used.get("previous", 0)),
            delta=recent - previous,
            ratio=round(recent / previous, 4) if previous else None,
        )
        for name, used in counts.items()
        if max(used.values()) >= min_volume
    ]
    tags.sort(key=lambda t: (-t.delta, -t.recent, t.tag))
    return TagTrends(
        as_of=as_of, days=days, min_volume=min_volume, recent_start=middle, previous_start=start, tags=tags
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
