"""The per-ticket facts kept as tickets change equal a rebuild from the audit trail, and read the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.db.engine import transaction
from communitydesk.metrics import (
    docs_first,
    durations,
    fact_rebuild,
    filters,
    milestones,
    month_counts,
    service,
)
from communitydesk.metrics.models import MonthCount, OutreachMonth, TicketFacts
from communitydesk.metrics.schemas import MetricsFilter, Period
from communitydesk.outreach import responses
from communitydesk.replies.service import record_public_reply
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import CHANNELS, Actor
from tests.conftest import People
from tests.metrics.conftest import DOCS, History, at
from tests.metrics.timeline import Timeline


def _rows(session: Session) -> list[tuple[Any, ...]]:
    per_ticket = select(*TicketFacts.__table__.c).order_by(TicketFacts.ticket_id)
    per_month = select(*OutreachMonth.__table__.c).order_by(OutreachMonth.ticket_id, OutreachMonth.month)
    counts = (
        select(*MonthCount.__table__.c)
        .where(MonthCount.tickets != 0)  # kept counts that fell to zero stay as rows
        .order_by(MonthCount.month, MonthCount.measure, MonthCount.bucket, MonthCount.channel)
    )
    return (
        [tuple(row) for row in session.execute(per_ticket)]
        + [("outreach", *row) for row in session.execute(per_month)]
        + [("counts", *row) for row in session.execute(counts)]
    )


def _facts(desk: Desk) -> list[tuple[Any, ...]]:
    with desk.sessions() as session:
        return _rows(session)


def _rebuilt(desk: Desk) -> list[tuple[Any, ...]]:
    """The facts a rebuild from the trail gives, rolled back so the kept ones stay as they are."""
    with desk.sessions() as session:
        fact_rebuild.rebuild(session)
        rows = _rows(session)
        session.rollback()
    return rows


def _numbers(desk: Desk) -> tuple[Any, ...]:
    months = Period.month("2026-10").months_back(12)
    bases = desk.settings.resolved_docs_url_bases
    with desk.sessions() as session:
        return (
            service.monthly_series(session, months, MetricsFilter(), bases),
            service.summary(session, Period.month("2026-10"), MetricsFilter(), bases),
            service.summary(session, Period.month("2026-10"), filters.make_filter(channel="forum"), bases),
        )


def test_kept_facts_equal_a_rebuild_after_a_varied_history(
    desk: Desk, people: People, history: History, cli: CliRunner
) -> None:
    assert milestones.EXPERT_RESPONDED == responses.EXPERT_RESPONDED
    kept = _facts(desk)
    with desk.sessions() as session:  # one row per ticket, intake's bulk path included
        ticket_ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id)))
    assert [row[0] for row in kept if row[0] not in ("outreach", "counts")] == ticket_ids
    assert kept == _rebuilt(desk)
    by_ticket = {row[0]: row for row in kept}
    months = {(row[1], row[2]): row[3:] for row in kept if row[0] == "outreach"}
    # (reached out, answered, expert responded) in the month
    assert months[history.reddit_answered, 202609] == (True, True, False)
    assert months[history.reddit_answered, 202610] == (False, False, True)
    assert months[history.twitter_waiting, 202610] == (True, False, False)
    assert round(by_ticket[history.forum_answered][9], 3) == 4 * 3600.0  # outreach 09:00, answer 13:00
    assert by_ticket[history.forum_answered][8] == 202610  # the month of the first answer
    assert by_ticket[history.twitter_waiting][7] is None  # no answer yet

    # docs-first from the notes (no bases stored yet), then from the facts after the rebuild command
    from_notes = _numbers(desk)
    result = cli.invoke(app, ["metrics", "rebuild-facts"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt the facts of {len(ticket_ids)} tickets" in result.output and DOCS in result.output
    with desk.sessions() as session:
        assert fact_rebuild.stored_docs_url_bases(session) == [DOCS]
    assert _facts(desk) != kept  # the forum answer now has its docs link
    from_facts = _numbers(desk)
    for ours, theirs in zip(from_facts[0], from_notes[0], strict=True):
        assert ours == theirs
    assert from_facts[1] == from_notes[1]
    assert from_facts == from_notes

    # more history after the bases are stored: a reopen and solve, a public reply, a docs link, a close
    line = Timeline(desk, Actor(people.advocate.name, people.advocate.id))
    advocate = Actor(people.advocate.name, people.advocate.id)
    line.link(history.hackernews_solved, "reference", f"{DOCS.upper()}ee/user/", at("2026-10-03 00:00"))
    with transaction(desk.sessions) as session:
        ticket = tickets.get(session, history.twitter_waiting)
        assert ticket is not None
        record_public_reply(
            session, ticket, kind="interim", body="Asking the team.", url=None, actor=advocate
        )
        forum = tickets.get(session, history.forum_answered)
        assert forum is not None
        tickets.set_status(session, forum, "open", actor=advocate)
    line.solve(history.forum_answered, at("2026-10-25 00:00"))
    line.expert_answer(history.twitter_waiting, "Alice", at("2026-11-02 00:00"), url="https://x.com/a/1")
    with transaction(desk.sessions) as session:
        docs_gap = tickets.get(session, history.docs_gap)
        assert docs_gap is not None
        tickets.set_status(session, docs_gap, "closed", actor=advocate)
    kept = _facts(desk)
    assert kept == _rebuilt(desk)
    by_ticket = {row[0]: row for row in kept}
    months = {(row[1], row[2]): row[3:] for row in kept if row[0] == "outreach"}
    assert months[history.twitter_waiting, 202610] == (True, True, False)  # answered in November
    assert months[history.twitter_waiting, 202611] == (False, False, True)
    assert by_ticket[history.hackernews_solved][6] is True  # the link starts with a base, any case
    assert by_ticket[history.twitter_waiting][3] is not None  # the public reply is a first response
    assert by_ticket[history.forum_answered][4] == at("2026-10-25 00:00")

    # the facts path and the notes path still agree on the new history
    with desk.sessions() as session:
        bases = desk.settings.resolved_docs_url_bases
        october = Period.month("2026-10")
        fast = docs_first.docs_first_by_period(session, [october], MetricsFilter(), bases)
        slow = docs_first.docs_first_by_period(
            session, [october], MetricsFilter(), [*bases, "https://other/"]
        )
    assert fast == slow
    assert fast["2026-10"].solved == 2 and fast["2026-10"].with_docs_link == 1  # reddit; forum re-solved
    _assert_channel_series_equal_the_rows(desk)


def _assert_channel_series_equal_the_rows(desk: Desk) -> None:
    """Each channel's series, read from its month counts, equals the one counted from its tickets (the same
    span one microsecond longer is not a calendar month), and the channels add up to the whole."""
    months = Period.month("2026-11").months_back(3)
    unaligned = [Period(m.label, m.start - timedelta(microseconds=1), m.end) for m in months]
    bases = desk.settings.resolved_docs_url_bases
    created: dict[str, int] = {}
    with desk.sessions() as session:
        for channel in CHANNELS:
            flt = filters.make_filter(channel=channel)
            from_counts = service.monthly_series(session, months, flt, bases)
            from_rows = service.monthly_series(session, unaligned, flt, bases)
            assert [row.model_dump() for row in from_counts] == [row.model_dump() for row in from_rows]
            for row in from_counts:
                created[row.month] = created.get(row.month, 0) + row.tickets_created
        everything = service.monthly_series(session, months, MetricsFilter(), bases)
    assert {row.month: row.tickets_created for row in everything} == created
    assert created["2026-10"] > 0


def test_duration_buckets_sort_as_durations() -> None:
    values = [-5.0, 0.0, 0.5, 9.9, 10.0, 99.99, 100.0, 14_399.99, 14_400.7, 86_400.0, 10**7 + 0.5]
    keys = [month_counts.bucket_of(value) for value in values]
    assert keys == sorted(keys) and keys[0] == -1 and keys[7:9] == [514, 514]
    for value, key in zip(values[1:], keys[1:], strict=True):
        floor = month_counts.bucket_floor(key)
        assert floor is not None and floor <= value < floor * 1.1 + 1


def test_month_percentiles_from_buckets_equal_ranked_ones(desk: Desk, people: People) -> None:
    """Durations spread over many buckets: the bucket search gives what ranking all of them gives."""
    line = Timeline(desk, Actor(people.advocate.name, people.advocate.id))
    start = at("2026-10-03 00:00")
    delays = [1, 7, 59, 61, 600, 3_599, 3_600, 3_601, 7_200, 14_000, 14_999, 15_000, 86_399, 86_400, 200_000]
    for n, delay in enumerate(delays * 2):
        created = start + timedelta(hours=n)
        line.solve(line.ticket("forum", created), created + timedelta(seconds=delay + n % 2 / 4))
        # other channels' durations in the same buckets and between them: a channel's rank skips them
        other = line.ticket("twitter" if n % 3 else "reddit", created)
        line.solve(other, created + timedelta(seconds=delay * 1.04 + 3))
    october = Period.month("2026-10")
    unaligned = Period("2026-10", october.start - timedelta(microseconds=1), october.end)
    with desk.sessions() as session:
        for flt in (MetricsFilter(), *(filters.make_filter(channel=c) for c in ("forum", "twitter"))):
            from_buckets = durations.first_response_time_by_period(session, [october], flt)
            ranked = durations.first_response_time_by_period(session, [unaligned], flt)
            assert from_buckets == ranked, flt
            assert from_buckets["2026-10"].count == {None: 60, "forum": 30, "twitter": 20}[flt.channel]


def test_month_percentiles_of_four_and_five_durations(desk: Desk, people: People) -> None:
    """With 4 or 5 durations the median reads the rank the p90 starts at, but not the one after."""
    line = Timeline(desk, Actor(people.advocate.name, people.advocate.id))
    for month, count in (("2026-09", 4), ("2026-10", 5)):
        start = at(f"{month}-03 00:00")
        for n in range(count):
            created = start + timedelta(hours=n)
            line.solve(line.ticket("forum", created), created + timedelta(minutes=10 * (n + 1)))
    months = Period.month("2026-10").months_back(2)
    unaligned = [Period(m.label, m.start - timedelta(microseconds=1), m.end) for m in months]
    with desk.sessions() as session:
        for flt in (MetricsFilter(), filters.make_filter(channel="forum")):
            from_counts = durations.first_response_time_by_period(session, months, flt)
            ranked = durations.first_response_time_by_period(session, unaligned, flt)
            assert from_counts == ranked, flt
            answers = durations.expert_answer_time_by_period(session, months, flt)
            assert answers == durations.expert_answer_time_by_period(session, unaligned, flt)
    assert from_counts["2026-10"].p90_seconds == 46 * 60  # 40 and 50 minutes, 6/10 of the way
