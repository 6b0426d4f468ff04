"""Discourse: signed webhooks (forged ones store nothing) and API backfill with accepted answers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from communitydesk.app import create_app
from communitydesk.config import Settings
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PollReport, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import decode_cursor
from communitydesk.integrations.discourse.signature import sign
from communitydesk.integrations.registry import open_source
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.settings.intake import DiscourseSettings
from communitydesk.tickets.models import Ticket
from tests.fakes.discourse import FakeDiscourse, discourse_post
from tests.fakes.server import Sleeps

SECRET = "webhook-secret-from-discourse-admin"


@pytest.fixture
def forum_desk(desk: Desk) -> Desk:
    section = DiscourseSettings(webhook_secret=SECRET, base_url="https://forum.example.com")
    return dataclasses.replace(desk, settings=desk.settings.model_copy(update={"discourse": section}))


@pytest.fixture
def client(forum_desk: Desk) -> Iterator[TestClient]:
    with TestClient(create_app(forum_desk.settings, desk=forum_desk)) as client:
        yield client


def deliver(
    client: TestClient, payload: Any, *, event: str = "post_created", signature: str | None = "sign"
) -> Any:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Discourse-Instance": "https://forum.example.com",
        "X-Discourse-Event-Id": "42",
        "X-Discourse-Event-Type": "post",
        "X-Discourse-Event": event,
    }
    if signature == "sign":
        headers["X-Discourse-Event-Signature"] = sign(SECRET, body)
    elif signature is not None:
        headers["X-Discourse-Event-Signature"] = signature
    return client.post("/webhooks/discourse", content=body, headers=headers)


def count(desk: Desk, model: type) -> int:
    with desk.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


POST = discourse_post(501, 77, 1, "<p>How do I cache <code>node_modules</code> in GitLab CI?</p>")


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "sha256=" + "0" * 64,
        sign("another-secret", json.dumps({"post": POST}).encode()),
        sign(SECRET, b'{"post": {}}'),  # a valid signature of other bytes
        "sha1=abc",
    ],
    ids=["unsigned", "zeros", "wrong-secret", "other-body", "wrong-scheme"],
)
def test_a_forged_webhook_is_refused_and_stores_nothing(
    client: TestClient, forum_desk: Desk, signature: str | None
) -> None:
    response = deliver(client, {"post": POST}, signature=signature)

    assert response.status_code == 401
    assert count(forum_desk, Mention) == 0 and count(forum_desk, IntakeReject) == 0


def test_webhooks_are_refused_while_no_secret_is_configured(desk: Desk) -> None:
    with TestClient(create_app(desk.settings, desk=desk)) as client:
        response = deliver(client, {"post": POST})
    assert response.status_code == 401
    assert "DESK_DISCOURSE__WEBHOOK_SECRET" in response.json()["detail"]
    assert count(desk, Mention) == 0


def test_a_signed_webhook_creates_the_mention_once(client: TestClient, forum_desk: Desk) -> None:
    first = deliver(client, {"post": POST})
    again = deliver(client, {"post": POST}, event="post_edited")

    assert first.status_code == 200 and first.json() == {"status": "stored", "event": "post_created"}
    assert again.json()["status"] == "duplicate"
    with forum_desk.sessions() as session:
        mention = session.scalars(select(Mention)).one()
    assert mention.source == "discourse" and mention.channel == "forum"
    assert mention.text == "How do I cache `node_modules` in GitLab CI?"
    assert mention.title == "GitLab runner keeps failing on ARM"
    assert mention.url == "https://forum.example.com/t/gitlab-runner-keeps-failing-on-arm/77/1"
    assert mention.root_external_id == "topic-77" and mention.author_handle == "elliot"


def test_a_reply_joins_the_topic_ticket_and_an_accepted_solution_tags_it(
    client: TestClient, forum_desk: Desk
) -> None:
    reply = discourse_post(
        502, 77, 2, "<p>Use <code>cache:key:files</code>.</p>", username="expert", minutes=5
    )
    deliver(client, {"post": POST})
    deliver(client, {"post": reply})
    solved = deliver(client, {"post": {**reply, "accepted_answer": True}}, event="accepted_solution")

    assert solved.json()["status"] == "duplicate"
    with forum_desk.sessions() as session:
        tickets = session.scalars(select(Ticket)).all()
    assert len(tickets) == 1 and tickets[0].tags == ["accepted-answer"]


def test_a_signed_but_malformed_post_is_kept_as_a_reject(client: TestClient, forum_desk: Desk) -> None:
    response = deliver(client, {"post": {**POST, "topic_id": None}})
    unparsable = client.post(
        "/webhooks/discourse",
        content=b"{not json",
        headers={
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": sign(SECRET, b"{not json"),
        },
    )
    ping = deliver(client, {"ping": "OK"}, event="ping")

    assert response.status_code == 422 and "topic_id" in response.json()["detail"]
    assert unparsable.status_code == 400
    assert ping.status_code == 200 and ping.json()["status"] == "ignored"
    with forum_desk.sessions() as session:
        reasons = [
            reject.reason for reject in session.scalars(select(IntakeReject).order_by(IntakeReject.id))
        ]
    assert len(reasons) == 2 and reasons[1].startswith("invalid JSON")
    assert count(forum_desk, Mention) == 0


# -- API backfill ----------------------------------------------------------------------------------


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeDiscourse]:
    yield FakeDiscourse(httpserver, api_key="admin-key").install()


def forum_settings(desk: Desk, fake: FakeDiscourse) -> Settings:
    section = DiscourseSettings(
        enabled=True, base_url=fake.base_url, api_key="admin-key", backfill_hours=24 * 365
    )
    return desk.settings.model_copy(update={"discourse": section})


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None) -> PollReport:
    with open_source("discourse", settings, sleep=sleeps if sleeps is not None else Sleeps()) as source:
        return poll_source(desk, source, watch=rules_for(settings, "discourse"))


def test_backfill_pages_back_through_posts_and_a_second_run_adds_nothing(
    desk: Desk, fake: FakeDiscourse
) -> None:
    for topic in range(10):
        for number in range(1, 5):
            post_id = 1000 + topic * 10 + number
            fake.posts.append(
                discourse_post(
                    post_id,
                    topic_id=200 + topic,
                    post_number=number,
                    cooked=f"<p>Post {number} about GitLab in topic {topic}</p>",
                    topic_title=f"Topic {topic}",
                    minutes=topic * 10 + number,
                    accepted=(topic == 3 and number == 2),
                )
            )
    fake.posts.append({**discourse_post(1200, 300, 1, "<p>hidden</p>"), "hidden": True})
    fake.posts.append({**discourse_post(1201, 301, 1, "<p>broken</p>"), "created_at": "yesterday"})
    fake.throttle = {"/posts.json?before=1053"}
    settings = forum_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps)

    assert (first.new, first.rejected, first.error) == (40, 1, None)
    assert first.skipped == 1  # the hidden post
    assert first.duplicate == 1  # the accepted answer, seen again through /latest.json + /t/203.json
    assert sleeps == [5.0]
    assert [r for r in fake.requests if r.startswith("/posts.json")] == [
        "/posts.json?",
        "/posts.json?before=1053",
        "/posts.json?before=1003",
        "/posts.json?before=1001",
    ]
    assert "/t/203.json?" in fake.requests
    assert count(desk, Ticket) == 10  # replies join their topic's ticket
    with desk.sessions() as session:
        cursor = decode_cursor(intake.get_cursor(session, source="discourse", scope="posts"))
        solved = session.scalars(select(Ticket).where(Ticket.subject == "Topic 3")).one()
        reject = session.scalars(select(IntakeReject)).one()
    assert cursor["after"] == 1201 and cursor["next"] is None
    assert solved.tags == ["accepted-answer"]
    assert reject.location == "discourse:posts:id=1201" and "ISO time" in reject.reason

    second = poll(desk, settings)
    assert (second.new, second.rejected) == (0, 0)

    fake.posts.append(discourse_post(1300, 209, 5, "<p>One more GitLab question</p>", minutes=500))
    third = poll(desk, settings)
    assert third.new == 1 and count(desk, Ticket) == 10


def test_a_refused_api_key_is_a_clear_error(desk: Desk, fake: FakeDiscourse) -> None:
    settings = forum_settings(desk, fake)
    wrong = settings.discourse.model_copy(update={"api_key": SecretStr("wrong")})
    settings = settings.model_copy(update={"discourse": wrong})

    report = poll(desk, settings)

    assert report.error is not None and "refused the credentials (HTTP 403)" in report.error
    assert "DESK_DISCOURSE__API_KEY" in report.error
