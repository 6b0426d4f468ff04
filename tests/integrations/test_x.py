"""X against a local recent search: pages, a 429, a malformed post, since_id, and the monthly budget."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from communitydesk.config import Settings
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PollReport, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import decode_cursor
from communitydesk.integrations.registry import open_source
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.settings.intake import WatchSettings, XSettings
from communitydesk.tickets.models import Ticket
from tests.fakes.server import Sleeps
from tests.fakes.x import FakeX, tweet

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ROOT = 1_800_000_000_000_000_000


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeX]:
    tweets = [tweet(ROOT + n, f"Trying GitLab duo, post {n}") for n in range(25)]
    tweets.append(tweet(ROOT + 100, "@gitlab how do I rotate runner tokens?", author="42"))
    tweets.append(
        tweet(
            ROOT + 101, "@user see the GitLab docs", author="99", conversation=ROOT + 100, reply_to=ROOT + 100
        )
    )
    tweets.append({**tweet(ROOT + 102, "gitlab"), "created_at": "tuesday"})
    users = {
        "2244994945": {"id": "2244994945", "name": "Dev Person", "username": "devperson"},
        "42": {"id": "42", "name": "Asker", "username": "asker"},
        "99": {"id": "99", "name": "GitLab Expert", "username": "expert"},
    }
    yield FakeX(httpserver, tweets=tweets, users=users).install()


def x_settings(desk: Desk, fake: FakeX, **section: object) -> Settings:
    values = {
        "enabled": True,
        "base_url": fake.base_url,
        "bearer_token": SecretStr(fake.token),
        "max_results": 10,
        **section,
    }
    return desk.settings.model_copy(
        update={"x": XSettings(**values), "watch": WatchSettings(keywords=["gitlab"])}
    )


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None) -> PollReport:
    with open_source(
        "x", settings, sleep=sleeps if sleeps is not None else Sleeps(), now=lambda: NOW
    ) as source:
        return poll_source(desk, source, watch=rules_for(settings, "x"))


def test_pages_a_429_a_malformed_post_then_since_id_makes_a_second_run_add_nothing(
    desk: Desk, fake: FakeX
) -> None:
    fake.throttle = {"page-10"}
    settings = x_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps)

    assert first.error is None
    assert (first.fetched, first.new, first.rejected) == (28, 27, 1)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 5  # until x-rate-limit-reset
    assert [r.get("next_token") for r in fake.requests] == [None, "page-10", "page-20"]
    assert fake.requests[0]["query"] == "gitlab -is:retweet" and "start_time" in fake.requests[0]
    with desk.sessions() as session:
        reply = session.scalars(select(Mention).where(Mention.external_id == str(ROOT + 101))).one()
        question = session.scalars(select(Mention).where(Mention.external_id == str(ROOT + 100))).one()
        reject = session.scalars(select(IntakeReject)).one()
        cursor = decode_cursor(intake.get_cursor(session, source="x", scope="query:gitlab"))
        budget = intake.get_cursor(session, source="x", scope="budget:2026-11")
    assert reply.url == f"https://x.com/expert/status/{ROOT + 101}" and reply.author_name == "GitLab Expert"
    assert (reply.parent_external_id, reply.root_external_id) == (str(ROOT + 100), str(ROOT + 100))
    assert reply.ticket_id == question.ticket_id  # X replies thread into the conversation's ticket
    assert "created_at is not a time" in reject.reason
    assert cursor == {"since_id": str(ROOT + 102), "start_time": None, "top": None, "next": None}
    assert budget == "28"

    second = poll(desk, settings)
    assert (second.fetched, second.new) == (0, 0)
    assert fake.requests[-1]["since_id"] == str(ROOT + 102)
    with desk.sessions() as session:
        assert len(session.scalars(select(Ticket)).all()) == 26


def test_the_monthly_read_budget_is_never_exceeded(desk: Desk, fake: FakeX) -> None:
    settings = x_settings(desk, fake, monthly_read_budget=15)

    report = poll(desk, settings)

    assert report.fetched == 10  # the next page would need at least 10 more reads; 5 are left
    assert report.error is not None and "monthly read budget of 15 posts is used up" in report.error
    with desk.sessions() as session:
        assert intake.get_cursor(session, source="x", scope="budget:2026-11") == "10"
    again = poll(desk, settings)
    assert again.fetched == 0 and again.error is not None


def test_a_partial_budget_asks_for_fewer_posts(desk: Desk, fake: FakeX) -> None:
    report = poll(desk, x_settings(desk, fake, monthly_read_budget=24, max_results=100))
    assert report.fetched == 24 and [r["max_results"] for r in fake.requests] == ["24"]


def test_a_refused_token_is_a_credentials_error(desk: Desk, fake: FakeX) -> None:
    report = poll(desk, x_settings(desk, fake, bearer_token=SecretStr("expired")))
    assert report.error is not None and "x refused the credentials (HTTP 401)" in report.error
