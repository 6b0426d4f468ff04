"""Hacker News against a local Algolia + Firebase: pages, a 429, a malformed hit, the cursor, re-runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from communitydesk.config import Settings
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PollReport, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import decode_cursor
from communitydesk.integrations.hackernews.source import HackerNewsSource
from communitydesk.integrations.http import JsonApi
from communitydesk.integrations.registry import open_source
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.settings.intake import HackerNewsSettings, WatchSettings
from communitydesk.tickets.models import Ticket, TicketLink
from tests.fakes.hackernews import FakeHackerNews, comment_hit, story_hits
from tests.fakes.server import Sleeps

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
START = int((NOW - timedelta(hours=3)).timestamp())
SCOPE = "query:gitlab"


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeHackerNews]:
    yield FakeHackerNews(httpserver).install()


def hn_settings(desk: Desk, fake: FakeHackerNews, **section: Any) -> Settings:
    values = {"base_url": fake.base_url, "firebase_url": fake.firebase_url, "hits_per_page": 10, **section}
    return desk.settings.model_copy(
        update={"hackernews": HackerNewsSettings(**values), "watch": WatchSettings(keywords=["gitlab"])}
    )


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None, **kwargs: Any) -> PollReport:
    with open_source(
        "hackernews", settings, sleep=sleeps if sleeps is not None else Sleeps(), now=lambda: NOW
    ) as source:
        return poll_source(desk, source, watch=rules_for(settings, "hackernews"), **kwargs)


def comments(count: int, *, start: int = START) -> list[dict[str, Any]]:
    return [
        comment_hit(40_000_000 + n, start + 60 * n, f"We moved to GitLab CI last year, comment {n}.")
        for n in range(count)
    ]


def count(desk: Desk, model: type) -> int:
    with desk.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_pages_a_429_a_malformed_hit_and_a_dead_one_then_a_second_run_adds_nothing(
    desk: Desk, fake: FakeHackerNews
) -> None:
    fake.hits = comments(24)
    fake.hits.append(
        comment_hit(
            41_000_001,
            START + 30,
            '<p>Is <a href="https://gitlab.com/x">GitLab&#x27;s</a> runner &gt; Jenkins?</p>'
            "<script>alert(1)</script>",
            story_id=41_000_000,
            story_title=None,
            parent_id=41_000_000,
            author="pg",
        )
    )
    too_long = comment_hit(41_000_002, START + 40, "gitlab", author="x" * 300)
    no_id = comment_hit(41_000_004, START + 45, "gitlab")
    del no_id["objectID"]
    fake.hits += [too_long, no_id]
    fake.hits.append(comment_hit(41_000_003, START + 50, "dead gitlab comment"))
    fake.items["41000003"] = {"id": 41_000_003, "type": "comment", "dead": True}
    fake.items["41000000"] = {"id": 41_000_000, "type": "story", "title": "Ask HN: CI for monorepos?"}
    fake.throttle_pages = {1}
    fake.retry_after = "2"
    settings = hn_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps)

    assert (first.fetched, first.new, first.duplicate, first.rejected, first.skipped) == (28, 25, 0, 2, 1)
    assert first.pages == 3 and first.error is None
    assert sleeps == [2.0]  # the 429's Retry-After, honoured once
    assert [search["page"] for search in fake.searches] == ["0", "1", "2"]
    assert {search["tags"] for search in fake.searches} == {"(story,comment)"}
    until = int(NOW.timestamp()) - settings.hackernews.settle_seconds
    start = int((NOW - timedelta(hours=settings.hackernews.backfill_hours)).timestamp())
    assert fake.searches[0]["numericFilters"] == f"created_at_i>{start},created_at_i<={until}"

    with desk.sessions() as session:
        stored = intake.get_cursor(session, source="hackernews", scope=SCOPE)
        assert decode_cursor(stored) == {"since": until, "until": None, "page": 0}
        mention = session.scalars(select(Mention).where(Mention.external_id == "41000001")).one()
        rejects = session.scalars(select(IntakeReject).order_by(IntakeReject.id)).all()
    assert mention.text == "Is [GitLab's](https://gitlab.com/x) runner > Jenkins?"
    assert mention.title == "Ask HN: CI for monorepos?"  # from Firebase: the hit had no story_title
    assert mention.url == "https://news.ycombinator.com/item?id=41000001"
    assert (mention.parent_external_id, mention.root_external_id) == ("41000000", "41000000")
    assert mention.author_handle == "pg" and mention.names_company
    assert mention.created_at == datetime.fromtimestamp(START + 30, UTC)
    assert mention.raw["objectID"] == "41000001"
    assert [(reject.source, reject.location, reject.reason) for reject in rejects] == [
        ("hackernews", f"hackernews:{SCOPE}:item 4", "objectID must be an HN item id, got None"),
        (
            "hackernews",
            f"hackernews:{SCOPE}:objectID=41000002",
            "author_handle: String should have at most 200 characters",
        ),
    ]
    assert '"author": "tcas"' in rejects[0].payload  # the payload is kept for inspection

    second = poll(desk, settings)
    assert (second.fetched, second.new, second.rejected) == (0, 0, 0)
    assert count(desk, Mention) == 25 and count(desk, Ticket) == 25

    with desk.sessions() as session:
        runs = intake.get_runs(session, source="hackernews")
    assert [(run.status, run.new, run.rejected) for run in runs] == [("ok", 0, 0), ("ok", 25, 2)]


def test_a_backfill_from_since_refetches_and_counts_duplicates(desk: Desk, fake: FakeHackerNews) -> None:
    fake.hits = comments(5)
    settings = hn_settings(desk, fake, check_dead=False)
    poll(desk, settings)

    again = poll(desk, settings, since=NOW - timedelta(days=2))

    assert (again.fetched, again.new, again.duplicate) == (5, 0, 5)
    assert count(desk, Mention) == 5


def test_a_limited_run_stores_the_page_cursor_and_the_next_run_resumes_there(
    desk: Desk, fake: FakeHackerNews
) -> None:
    fake.hits = comments(30)
    settings = hn_settings(desk, fake, check_dead=False)

    first = poll(desk, settings, max_pages=1)
    with desk.sessions() as session:
        cursor = decode_cursor(intake.get_cursor(session, source="hackernews", scope=SCOPE))
    rest = poll(desk, settings)

    assert first.new == 10 and cursor["page"] == 1 and cursor["until"] is not None
    assert rest.new == 20 and rest.duplicate == 0
    assert [search["page"] for search in fake.searches] == ["0", "1", "2"]
    assert len({search["numericFilters"] for search in fake.searches}) == 1  # the same closed window


def test_past_algolias_1000_hit_limit_the_window_narrows_and_nothing_is_missed(
    desk: Desk, fake: FakeHackerNews
) -> None:
    fake.hits = [comment_hit(50_000_000 + n, START + n, f"gitlab {n}") for n in range(1050)]
    settings = hn_settings(desk, fake, check_dead=False, hits_per_page=500)

    report = poll(desk, settings)

    assert report.new == 1050 and report.duplicate >= 1 and report.error is None
    assert [search["page"] for search in fake.searches] == ["0", "1", "0"]
    assert fake.searches[2]["numericFilters"].endswith(f"created_at_i<={START + 50}")


def test_exclusions_and_keyword_rules_skip_mentions(desk: Desk, fake: FakeHackerNews) -> None:
    fake.hits = [
        comment_hit(60_000_001, START + 1, "Our docs are on gitlab pages at acme.gitlab.io"),
        comment_hit(60_000_002, START + 2, "gitlabber is not a word we watch"),
        comment_hit(60_000_003, START + 3, "GitLab is fine"),
    ]
    settings = hn_settings(desk, fake, check_dead=False, exclude=["gitlab.io"])

    report = poll(desk, settings)

    assert (report.new, report.skipped) == (1, 2)


def test_recorded_story_hits_normalize(desk: Desk, fake: FakeHackerNews) -> None:
    source = HackerNewsSource(
        HackerNewsSettings(),
        ["tim cook"],
        algolia=JsonApi(None, provider="unused"),  # type: ignore[arg-type]
    )
    hits = story_hits()

    mentions = [source.normalize(hit) for hit in hits]

    first = mentions[0]
    assert first is not None
    assert first.external_id == "3078351"
    assert first.title == "Tim Cook's email to Apple employees about Steve's passing"
    assert first.text.endswith("http://www.businesswire.com/news/home/20111005006889/en/Apple-Media-Advisory")
    assert first.url == "https://news.ycombinator.com/item?id=3078351"
    assert first.created_at == datetime(2011, 10, 6, 0, 24, 29, tzinfo=UTC)
    assert first.parent_id is None and first.root_id is None
    assert all(mention is not None and mention.channel == "hackernews" for mention in mentions)


def test_comments_in_one_story_get_related_tickets(desk: Desk, fake: FakeHackerNews) -> None:
    fake.hits = [
        comment_hit(70_000_001, START + 1, "GitLab question one", story_id=70_000_000),
        comment_hit(70_000_002, START + 2, "GitLab answer", story_id=70_000_000, parent_id=70_000_001),
    ]
    settings = hn_settings(desk, fake, check_dead=False)

    poll(desk, settings)

    assert count(desk, Ticket) == 2 and count(desk, TicketLink) == 1
