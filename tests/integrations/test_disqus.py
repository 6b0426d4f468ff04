"""Disqus against a local listPosts: forward pages, a 429, a malformed post, blog vs docs, re-runs."""

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
from communitydesk.settings.intake import DisqusSettings
from communitydesk.tickets.models import Ticket
from tests.fakes.disqus import BASE_TIME, FakeDisqus, disqus_post
from tests.fakes.server import Sleeps

SINCE = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeDisqus]:
    posts = [disqus_post(100 + n, f"<p>Comment {n} on the release post</p>", minutes=n) for n in range(9)]
    posts.append(disqus_post(200, "<p>Reply about <b>runners</b></p>", minutes=20, parent=104))
    posts.append(disqus_post(300, "<p>The docs page is wrong</p>", forum="acme-docs", thread=8001, minutes=5))
    posts.append({**disqus_post(400, "<p>spam</p>", minutes=30), "isSpam": True})
    posts.append({**disqus_post(500, "<p>broken</p>", minutes=31), "message": None})
    yield FakeDisqus(httpserver, posts=posts).install()


def disqus_settings(desk: Desk, fake: FakeDisqus, **section: object) -> Settings:
    values = {
        "enabled": True,
        "base_url": fake.base_url,
        "api_key": SecretStr(fake.api_key),
        "forums": ["acme-blog", "acme-docs"],
        "docs_forums": ["acme-docs"],
        **section,
    }
    return desk.settings.model_copy(update={"disqus": DisqusSettings(**values)})


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None, **kwargs: object) -> PollReport:
    with open_source("disqus", settings, sleep=sleeps if sleeps is not None else Sleeps()) as source:
        return poll_source(desk, source, watch=rules_for(settings, "disqus"), **kwargs)  # type: ignore[arg-type]


def test_pages_forward_with_a_429_and_a_malformed_post_then_a_second_run_adds_nothing(
    desk: Desk, fake: FakeDisqus
) -> None:
    since = int(SINCE.timestamp())
    fake.throttle = {f"{since}:4:0"}
    settings = disqus_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps, since=SINCE)

    assert first.error is None
    assert (first.fetched, first.new, first.duplicate, first.rejected, first.skipped) == (13, 11, 0, 1, 1)
    assert sleeps == [3.0]
    blog_cursors = [r.get("cursor") for r in fake.requests if r["forum"] == "acme-blog"]
    assert blog_cursors == [None, f"{since}:4:0", f"{since}:8:0"]
    assert {r["order"] for r in fake.requests} == {"asc"} and {r["related"] for r in fake.requests} == {
        "thread"
    }
    with desk.sessions() as session:
        docs = session.scalars(select(Mention).where(Mention.external_id == "300")).one()
        reply = session.scalars(select(Mention).where(Mention.external_id == "200")).one()
        reject = session.scalars(select(IntakeReject)).one()
        cursor = decode_cursor(intake.get_cursor(session, source="disqus", scope="forum:acme-blog"))
    assert docs.channel == "docs_comment" and docs.url == "https://docs.acme.com/runners/8001/#comment-300"
    assert reply.channel == "blog_comment" and reply.text == "Reply about **runners**"
    assert (reply.parent_external_id, reply.root_external_id) == ("104", "thread-7001")
    assert reply.title == "Post 7001" and reply.author_handle == "reader0"
    assert reply.created_at == datetime(2026, 11, 18, 8, 20, tzinfo=UTC)
    assert reject.reason == "post without a message" and reject.location == "disqus:forum:acme-blog:id=500"
    assert cursor["since"] == int(BASE_TIME.timestamp()) + 31 * 60 + 1 and cursor["cursor"] is None

    second = poll(desk, settings)
    assert (second.new, second.rejected) == (0, 0)

    fake.posts.append(disqus_post(600, "<p>A new comment</p>", minutes=90))
    third = poll(desk, settings)
    assert third.new == 1


def test_blog_comments_are_separate_tickets_even_when_replies(desk: Desk, fake: FakeDisqus) -> None:
    poll(desk, disqus_settings(desk, fake), since=SINCE)
    with desk.sessions() as session:
        assert len(session.scalars(select(Ticket)).all()) == 11


def test_a_thread_url_prefix_marks_docs_comments(desk: Desk, fake: FakeDisqus) -> None:
    settings = disqus_settings(
        desk, fake, docs_forums=[], docs_url_prefixes=["https://blog.acme.com/posts/7001/"]
    )
    poll(desk, settings, since=SINCE)
    with desk.sessions() as session:
        channels = {m.external_id: m.channel for m in session.scalars(select(Mention))}
    assert channels["100"] == "docs_comment" and channels["300"] == "blog_comment"


def test_a_wrong_api_key_is_a_credentials_error(desk: Desk, fake: FakeDisqus) -> None:
    report = poll(desk, disqus_settings(desk, fake, api_key=SecretStr("nope")), since=SINCE)
    assert (
        report.error is not None
        and "Invalid API key" in report.error
        and "DESK_DISQUS__API_KEY" in report.error
    )
