"""A desk history over several months with known numbers, built through intake, macros and tickets.

The report month is 2026-10: its rising-tags windows are [2026-10-02, 2026-11-01) against
[2026-09-02, 2026-10-02), so several tag uses sit on either side of the month boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from communitydesk.runtime import Desk
from communitydesk.tickets.schemas import Actor
from tests.conftest import People
from tests.metrics.timeline import Timeline

DOCS = "https://docs.gitlab.com/"
REACHED_OUT = "Reached out to expert"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def _metrics_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESK_METRICS__DOCS_URL_BASES", f'["{DOCS}"]')
    monkeypatch.setenv("DESK_METRICS__RISING_TAGS_MIN_VOLUME", "2")


@dataclass
class History:
    reddit_answered: int  # outreach in Sep, answered in Oct
    forum_answered: int  # outreach and answer on 2026-10-01, with a docs link
    twitter_waiting: int  # outreach in Oct, no answer yet (stage verify)
    hackernews_solved: int  # solved in Jul without outreach
    docs_gap: int  # a docs issue filed in Oct


@pytest.fixture
def history(desk: Desk, people: People) -> History:
    line = Timeline(desk, Actor(people.advocate.name, people.advocate.id))

    old = line.ticket("reddit", at("2025-10-15 00:00"))  # before the 12-month series
    line.macro(old, REACHED_OUT, at("2025-10-16 00:00"), expert="Alice")

    hackernews = line.ticket("hackernews", at("2026-07-15 00:00"))
    line.solve(hackernews, at("2026-07-15 03:00"))

    reddit = line.ticket("reddit", at("2026-09-10 10:00"))
    line.macro(reddit, REACHED_OUT, at("2026-09-10 12:00"), expert="Alice", slack_channel="#s_verify")
    line.expert_answer(reddit, "Alice", at("2026-10-02 12:00"), url="https://reddit.com/r/gitlab/c/1")

    forum = line.ticket("forum", at("2026-10-01 08:00"))
    line.macro(forum, REACHED_OUT, at("2026-10-01 09:00"), expert="Bob")
    line.note(forum, f"Answered with {DOCS}ee/ci/caching/ in the thread.", at("2026-10-01 12:00"))
    line.expert_answer(forum, "Bob", at("2026-10-01 13:00"), url="https://forum.gitlab.com/t/1/2")

    twitter = line.ticket("twitter", at("2026-10-05 00:00"), stage="verify")
    line.macro(twitter, REACHED_OUT, at("2026-10-05 06:00"), expert="Alice")

    docs_gap = line.ticket("docs_comment", at("2026-10-20 00:00"))
    line.link(
        docs_gap, "docs_issue", "https://gitlab.com/gitlab-org/gitlab/-/issues/1", at("2026-10-21 00:00")
    )

    # Tag carriers: blog comments tagged when they arrive.
    for when, tag in [
        ("2026-09-01 23:00", "ci-cache"),  # before both windows
        ("2026-09-02 00:00", "ci-cache"),  # first instant of the previous window
        ("2026-10-01 23:59", "ci-cache"),  # October, but still the previous window
        ("2026-10-02 00:00", "ci-cache"),  # first instant of the recent window
        ("2026-10-31 23:59", "ci-cache"),
        ("2026-10-10 00:00", "runner"),
        ("2026-10-11 00:00", "runner"),
        ("2026-10-12 00:00", "runner"),
        ("2026-09-15 00:00", "pages"),
        ("2026-09-20 00:00", "pages"),
        ("2026-10-15 00:00", "pages"),
    ]:
        line.tag(line.ticket("blog_comment", at(when)), tag, at(when))
    late = line.ticket("twitter", at("2026-11-05 00:00"))  # after the month and the windows
    line.tag(late, "runner", at("2026-11-05 00:00"))
    return History(reddit, forum, twitter, hackernews, docs_gap)
