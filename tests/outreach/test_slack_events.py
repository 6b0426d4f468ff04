"""POST /webhooks/slack/events: signed v0 over the raw body, 5-minute window, URL check, dedup by event_id,
replies and drafts in an outreach thread recorded on the ticket."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from communitydesk.outreach.models import OutreachReply, SlackEvent
from communitydesk.runtime import Desk
from tests.api.helpers import get_ok
from tests.fakes.slack import FakeSlack, event_callback, signature_headers, signed
from tests.outreach.conftest import ask

GXYZ = "C0GXYZ0001"
EVENTS = "/webhooks/slack/events"


def deliver(client: TestClient, payload: dict[str, Any], **signing: Any) -> Any:
    body, headers = signed(payload, **signing)
    return client.post(EVENTS, content=body, headers=headers)


def stored(desk: Desk) -> tuple[int, int]:
    with desk.sessions() as session:
        events = session.scalar(select(func.count()).select_from(SlackEvent)) or 0
        replies = session.scalar(select(func.count()).select_from(OutreachReply)) or 0
    return events, replies


@pytest.fixture
def outreach(app_client: TestClient, hn_ticket: int, advocate: dict[str, str]) -> dict[str, Any]:
    return ask(app_client, hn_ticket, advocate, channel="#g_xyz", expert="U0EXPERT01")


def test_slack_url_verification_gets_its_challenge_back(app_client: TestClient) -> None:
    response = deliver(
        app_client,
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_signed_thread_reply_is_recorded_on_the_ticket_with_the_authors_name(
    app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any], advocate: dict[str, str]
) -> None:
    event = slack.thread_reply(GXYZ, outreach["ts"], "Answered on HN: set `cache:key` per arch <3")
    response = deliver(app_client, event)
    assert response.status_code == 200 and response.json() == {"status": "reply"}

    [view] = get_ok(app_client, f"/api/v1/tickets/{outreach['ticket_id']}/outreach", advocate)
    [reply] = view["replies"]
    assert reply["text"] == "Answered on HN: set `cache:key` per arch <3"
    assert reply["slack_user"] == "U0EXPERT01" and reply["author_name"] == "Sam the Runner Expert"
    assert reply["is_draft"] is False
    ticket = get_ok(app_client, f"/api/v1/tickets/{outreach['ticket_id']}", advocate)
    assert "slack_reply" in {event["action"] for event in ticket["audit"]}


def test_a_redelivered_event_is_recorded_once(
    app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any], desk: Desk
) -> None:
    event = slack.thread_reply(GXYZ, outreach["ts"], "Looking into it")
    assert deliver(app_client, event).json() == {"status": "reply"}
    assert deliver(app_client, event).json() == {"status": "duplicate"}  # Slack's retry, same event_id
    assert stored(desk) == (1, 1)


def test_a_draft_in_the_thread_becomes_a_draft_reply_for_the_advocate(
    app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any], advocate: dict[str, str]
) -> None:
    event = slack.thread_reply(GXYZ, outreach["ts"], "Draft: The runner keys caches per job; add the arch.")
    assert deliver(app_client, event).json() == {"status": "draft"}
    [view] = get_ok(app_client, f"/api/v1/tickets/{outreach['ticket_id']}/outreach", advocate)
    [reply] = view["replies"]
    assert reply["is_draft"] is True
    assert reply["text"] == "The runner keys caches per job; add the arch."

    ticket_id = outreach["ticket_id"]
    posted = app_client.post(
        f"/api/v1/tickets/{ticket_id}/drafts/{reply['id']}/posted",
        json={"url": "https://news.ycombinator.com/item?id=41000009"},
        headers=advocate,
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["kind"] == "expert_draft" and posted.json()["body"] == reply["text"]
    again = app_client.post(
        f"/api/v1/tickets/{ticket_id}/drafts/{reply['id']}/posted", json={}, headers=advocate
    )
    assert again.status_code == 422 and "already recorded" in again.json()["detail"]
    missing = app_client.post(f"/api/v1/tickets/{ticket_id}/drafts/999/posted", json={}, headers=advocate)
    assert missing.status_code == 404
    assert len(get_ok(app_client, f"/api/v1/tickets/{ticket_id}/public-replies", advocate)) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"signing": {"secret": "not-the-signing-secret"}},
        {"signing": {"timestamp": int(time.time()) - 6 * 60}},  # a replay of an old request
        {"headers": {"X-Slack-Signature": None}},
        {"headers": {"X-Slack-Request-Timestamp": "yesterday"}},
        {"tamper": True},
    ],
    ids=["wrong-secret", "old", "unsigned", "bad-timestamp", "body-changed"],
)
def test_a_forged_or_old_event_is_refused_and_stores_nothing(
    app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any], desk: Desk, change: dict[str, Any]
) -> None:
    event = slack.thread_reply(GXYZ, outreach["ts"], "Solved, close it")
    body, headers = signed(event, **change.get("signing", {}))
    for name, value in change.get("headers", {}).items():
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    if change.get("tamper"):
        body = body.replace(b"Solved", b"Forged")
    response = app_client.post(EVENTS, content=body, headers=headers)
    assert response.status_code == 401
    assert stored(desk) == (0, 0)


def test_without_a_signing_secret_every_event_is_refused(
    app_client: TestClient, desk: Desk, outreach: dict[str, Any], slack: FakeSlack
) -> None:
    desk.settings.slack.signing_secret = type(desk.settings.slack.signing_secret)("")
    response = deliver(app_client, slack.thread_reply(GXYZ, outreach["ts"], "hi"))
    assert response.status_code == 401 and "DESK_SLACK__SIGNING_SECRET" in response.json()["detail"]


def test_bot_messages_and_other_threads_are_not_replies(
    app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any], desk: Desk
) -> None:
    own = event_callback(
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0DESKBOT1",
            "text": "Reminder",
            "ts": "1800000000.000100",
            "thread_ts": outreach["ts"],
            "channel": GXYZ,
        },
        event_id="Ev0BOT",
    )
    elsewhere = slack.thread_reply("C0QUEST001", "1700000000.000001", "unrelated")
    edited = event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": GXYZ,
            "ts": "1800000000.000200",
            "message": {"text": "edited", "thread_ts": outreach["ts"]},
        },
        event_id="Ev0EDIT",
    )
    for payload in (own, elsewhere, edited):
        assert deliver(app_client, payload).json() == {"status": "ignored"}
    assert stored(desk) == (3, 0)


def test_a_malformed_body_with_a_good_signature_is_a_clear_400(app_client: TestClient, desk: Desk) -> None:
    body = b"{not json"
    response = app_client.post(EVENTS, content=body, headers=signature_headers(body))
    assert response.status_code == 400 and "invalid JSON" in response.json()["detail"]
    assert stored(desk) == (0, 0)


def test_events_are_answered_fast(app_client: TestClient, slack: FakeSlack, outreach: dict[str, Any]) -> None:
    event = slack.thread_reply(GXYZ, outreach["ts"], "quick")
    started = time.monotonic()
    assert deliver(app_client, event).status_code == 200
    assert time.monotonic() - started < 3.0  # Slack retries anything slower
