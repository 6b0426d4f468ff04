"""Every metric of the October history, for the month, the 12-month series and each filter."""

from __future__ import annotations

from datetime import timedelta

from communitydesk.metrics import counts, docs_first, service, trends
from communitydesk.metrics.schemas import Durations, MetricsFilter, MonthRow, Period
from communitydesk.runtime import Desk
from communitydesk.tickets.schemas import Actor
from tests.conftest import People
from tests.metrics.conftest import DOCS, REACHED_OUT, History, at
from tests.metrics.timeline import Timeline

OCTOBER = Period.month("2026-10")
ALL = MetricsFilter()
DAY = 86400


def test_october_summary(desk: Desk, history: History) -> None:
    with desk.sessions() as session:
        summary = service.summary(session, OCTOBER, ALL, [DOCS])
    assert summary.tickets_created == 10
    outreach = summary.outreach
    assert (outreach.ticket_outreach, outreach.tracked_outreach, outreach.outreach) == (2, 0, 2)
    assert (outreach.expert_responded, outreach.answered, outreach.response_rate) == (2, 1, 0.5)
    # answers: forum 4 h after its outreach, reddit 22 days after its outreach in September
    assert 22 * DAY == 1_900_800
    assert summary.time_to_expert_answer == Durations(count=2, median_seconds=957_600, p90_seconds=1_712_160)
    # first responses by an advocate: forum 1 h, twitter 6 h; the docs-gap ticket and tag carriers have none
    assert summary.time_to_first_response == Durations(count=2, median_seconds=3.5 * 3600, p90_seconds=19800)
    docs = summary.docs_first
    assert (docs.solved, docs.with_docs_link, docs.share, docs.docs_gaps_filed) == (2, 1, 0.5, 1)


def test_monthly_series_has_every_month_with_zeros(desk: Desk, history: History) -> None:
    with desk.sessions() as session:
        series = service.monthly_series(session, OCTOBER.months_back(12), ALL, [DOCS])
    assert [row.month for row in series] == [
        "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
    ]  # fmt: skip
    by_month = {row.month: row for row in series}
    assert [row.tickets_created for row in series] == [0] * 8 + [1, 0, 5, 10]
    assert [row.outreach for row in series] == [0] * 10 + [1, 2]
    assert [row.expert_responded for row in series] == [0] * 11 + [2]
    assert [row.solved for row in series] == [0] * 8 + [1, 0, 0, 2]
    assert [row.docs_gaps_filed for row in series] == [0] * 11 + [1]
    september, july, august = by_month["2026-09"], by_month["2026-07"], by_month["2026-08"]
    assert (september.answered, september.response_rate) == (1, 1.0)
    assert september.first_response_median_seconds == 2 * 3600
    assert september.expert_answer_median_seconds is None
    assert (july.first_response_median_seconds, july.first_response_p90_seconds) == (3 * 3600, 3 * 3600)
    assert (july.with_docs_link, july.docs_link_share) == (0, 0.0)
    assert august.model_dump(exclude={"month"}) == {
        key: (None if key.endswith(("_seconds", "_rate", "_share")) else 0)
        for key in august.model_dump(exclude={"month"})
    }
    assert by_month["2026-10"].docs_link_share == 0.5


def test_breakdowns_list_every_status_and_channel(desk: Desk, history: History) -> None:
    with desk.sessions() as session:
        statuses = {row.key: row.count for row in counts.tickets_by_status(session, OCTOBER, ALL)}
        channels = {row.key: row.count for row in counts.tickets_by_channel(session, OCTOBER, ALL)}
    assert statuses == {"new": 8, "open": 1, "pending": 0, "solved": 1, "closed": 0}
    assert channels == {
        "twitter": 1, "blog_comment": 7, "docs_comment": 1, "hackernews": 0,
        "reddit": 0, "forum": 1, "zendesk": 0, "other": 0,
    }  # fmt: skip


def test_rising_tags_across_the_month_boundary(desk: Desk, history: History) -> None:
    with desk.sessions() as session:
        rising = trends.tag_trends(session, at("2026-11-01 00:00"), ALL, days=30, min_volume=2)
    assert (rising.recent_start, rising.previous_start) == (at("2026-10-02 00:00"), at("2026-09-02 00:00"))
    assert [(t.tag, t.recent, t.previous, t.delta, t.ratio) for t in rising.tags] == [
        ("runner", 3, 0, 3, None),
        ("ci-cache", 2, 2, 0, 1.0),
        ("pages", 1, 2, -1, 0.5),
        ("reached-out-to-expert", 1, 2, -1, 0.5),
    ]
    with desk.sessions() as session:
        everything = trends.tag_trends(session, at("2026-11-01 00:00"), ALL, days=30, min_volume=1)
    assert {t.tag: (t.recent, t.previous) for t in everything.tags if t.tag.startswith("expert-")} == {
        "expert-responded": (1, 1),
        "expert-response": (1, 1),
    }


def test_every_filter_narrows_every_metric(desk: Desk, history: History) -> None:
    def october(**fields: str) -> tuple[int, int, int, int, int]:
        with desk.sessions() as session:
            summary = service.summary(session, OCTOBER, MetricsFilter(**fields), [DOCS])
        o = summary.outreach
        return (summary.tickets_created, o.outreach, o.expert_responded, summary.docs_first.solved,
                summary.time_to_first_response.count)  # fmt: skip

    assert october(channel="forum") == (1, 1, 1, 1, 1)
    assert october(stage="verify") == (1, 1, 0, 0, 1)
    assert october(expert="Alice") == (1, 1, 1, 1, 1)  # the twitter outreach; the reddit answer
    assert october(expert="alice") == october(expert="Alice")
    assert october(expert="Bob") == (1, 1, 1, 1, 1)
    assert october(expert="Al") == (0, 0, 0, 0, 0)
    assert october(tag="runner") == (3, 0, 0, 0, 0)
    assert october(group="no-such-group") == (0, 0, 0, 0, 0)
    with desk.sessions() as session:
        gaps = docs_first.docs_first_by_period(
            session, [OCTOBER], MetricsFilter(channel="docs_comment"), [DOCS]
        )
        rising = trends.tag_trends(
            session, at("2026-11-01"), MetricsFilter(channel="blog_comment"), min_volume=2
        )
    assert gaps[OCTOBER.label].docs_gaps_filed == 1
    assert [t.tag for t in rising.tags] == ["runner", "ci-cache", "pages"]


def test_answers_without_docs_bases_count_no_docs_links(desk: Desk, history: History) -> None:
    with desk.sessions() as session:
        docs = service.summary(session, OCTOBER, ALL, []).docs_first
    assert (docs.solved, docs.with_docs_link, docs.share) == (2, 0, 0.0)


def test_filtered_months_read_from_the_facts_equal_the_rows(
    desk: Desk, people: People, history: History
) -> None:
    """A filtered calendar month is answered from the facts; the same span one microsecond longer is not a
    calendar month and is counted from the tickets and their trail: both must say the same."""
    line = Timeline(desk, Actor(people.advocate.name, people.advocate.id))
    for hours in (2, 5, 9):  # more forum durations in October: medians and p90s between ranks
        forum = line.ticket("forum", at("2026-10-03 00:00"))
        line.macro(forum, REACHED_OUT, at(f"2026-10-03 0{hours - 1}:00"), expert="Bob")
        line.expert_answer(
            forum, "Bob", at(f"2026-10-03 {hours + 10}:00"), url=f"https://forum.gitlab.com/t/{hours}"
        )
        line.solve(forum, at(f"2026-10-04 {hours:02d}:00"))
    months = OCTOBER.months_back(13)
    unaligned = [Period(m.label, m.start - timedelta(microseconds=1), m.end) for m in months]
    assert all(m.is_calendar_month for m in months) and not any(m.is_calendar_month for m in unaligned)
    filters = [
        MetricsFilter(channel="forum"), MetricsFilter(channel="twitter"), MetricsFilter(stage="verify"),
        MetricsFilter(expert="Alice"), MetricsFilter(tag="runner"), MetricsFilter(channel="reddit"),
    ]  # fmt: skip
    with desk.sessions() as session:
        for flt in filters:
            from_facts = service.monthly_series(session, months, flt, [DOCS])
            from_rows = service.monthly_series(session, unaligned, flt, [DOCS])
            assert [row.model_dump() for row in from_facts] == [row.model_dump() for row in from_rows], flt
    october = service_rows(desk, months, MetricsFilter(channel="forum"))[-1]
    assert (october.tickets_created, october.outreach, october.solved) == (4, 4, 4)  # answers solve forum
    # first responses of 1, 1, 4 and 8 hours; expert answers after 4, 11, 11 and 11 hours
    assert (october.first_response_median_seconds, october.first_response_p90_seconds) == (
        2.5 * 3600,
        6.8 * 3600,
    )
    assert october.expert_answer_median_seconds == 11 * 3600


def service_rows(desk: Desk, months: list[Period], flt: MetricsFilter) -> list[MonthRow]:
    with desk.sessions() as session:
        return service.monthly_series(session, months, flt, [DOCS])
