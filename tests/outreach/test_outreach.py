"""Outreach: one call posts the seed's template to Slack, stores the permalink and applies the macro;
Slack trouble queues it, and the queue delivers it later exactly once."""

from __future__ import annotations

import time
from collections import deque
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.db.engine import transaction
from communitydesk.outreach.models import OutreachRequest
from communitydesk.outreach.scheduled import run_outreach_once
from communitydesk.runtime import Desk
from communitydesk.taxonomy.models import Group, Stage
from tests.api.helpers import get_ok
from tests.conftest import People, bearer
from tests.fakes.slack import FakeSlack
from tests.outreach.conftest import ask

GXYZ = "C0GXYZ0001"


def test_outreach_posts_the_template_stores_the_permalink_and_applies_the_macro(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    answer = ask(app_client, hn_ticket, advocate, channel="#g_xyz", expert="U0EXPERT01")

    [message] = slack.posted(GXYZ)
    text = message["text"]
    assert text.startswith("<@U0EXPERT01> <https://news.ycombinator.com/item?id=41000001>")
    assert "Could you please answer on Hacker News using your own individual account?" in text
    assert "support from an expert" in text  # the seed's phrase for counting outreach in Slack
    assert "involve GitLab team members" in text
    assert message["metadata"]["event_payload"]["outreach_id"] == answer["id"]
    assert answer["status"] == "sent"
    assert answer["channel_id"] == GXYZ and answer["ts"] == message["ts"]
    assert (
        answer["permalink"]
        == f"https://desk-test.slack.com/archives/{GXYZ}/p{message['ts'].replace('.', '')}"
    )

    ticket = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}", advocate)
    assert ticket["status"] == "open"
    assert "reached-out-to-expert" in ticket["tags"]
    [note] = ticket["notes"]
    assert "U0EXPERT01" in note["body"] and "#g_xyz" in note["body"] and answer["permalink"] in note["body"]
    assert {"macro_applied", "outreach_requested", "outreach_sent"} <= {e["action"] for e in ticket["audit"]}
    [listed] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert listed["permalink"] == answer["permalink"]


def test_hostile_handles_cannot_ping_the_whole_channel(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    ask(app_client, hn_ticket, advocate, channel="g_xyz", expert="<!channel> <script>")
    [message] = slack.posted(GXYZ)
    assert "<!channel>" not in message["text"] and "<script>" not in message["text"]
    assert message["text"].startswith("&lt;!channel&gt; &lt;script&gt;")


def test_a_429_is_retried_after_the_retry_after_slack_named(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    slack.throttle["chat.postMessage"] = deque([1])
    started = time.monotonic()
    answer = ask(app_client, hn_ticket, advocate, channel="#g_xyz")
    assert time.monotonic() - started >= 1.0
    assert answer["status"] == "sent"
    assert len(slack.calls_of("chat.postMessage")) == 2
    assert len(slack.posted(GXYZ)) == 1


def test_a_long_retry_after_queues_the_outreach_for_after_it(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    slack.throttle["chat.postMessage"] = deque([600])
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    assert answer["status"] == "queued" and "rate limited for 600s" in answer["last_error"]
    waits_until = datetime.fromisoformat(answer["next_attempt_at"])
    assert waits_until >= datetime.fromisoformat(answer["created_at"]) + timedelta(seconds=600)
    assert slack.posted(GXYZ) == []


def test_slack_down_queues_and_the_retry_sends_exactly_once(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    cli: CliRunner,
) -> None:
    slack.down = 1
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz", expert="@sam")
    assert answer["status"] == "queued" and "HTTP 503" in answer["last_error"]
    ticket = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}", advocate)
    assert "reached-out-to-expert" not in ticket["tags"]
    assert "outreach_queued" in {event["action"] for event in ticket["audit"]}

    result = cli.invoke(app, ["outreach", "retry"])  # not due yet: the backoff holds it
    assert result.exit_code == 0, result.output
    assert "0 sent" in result.output and slack.posted(GXYZ) == []

    _make_due(app_client, answer["id"])
    result = cli.invoke(app, ["outreach", "retry"])
    assert "1 sent" in result.output, result.output
    again = cli.invoke(app, ["outreach", "retry"])
    assert "0 sent" in again.output

    assert len(slack.posted(GXYZ)) == 1
    [stored] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert stored["status"] == "sent" and stored["attempts"] == 2 and stored["permalink"]
    ticket = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}", advocate)
    assert [e["action"] for e in ticket["audit"]].count("macro_applied") == 1


def _make_due(client: TestClient, outreach_id: int) -> None:
    """Move a queued outreach's next attempt to now, as time passing would."""
    desk: Desk = client.app.state.desk  # type: ignore[attr-defined]
    with transaction(desk.sessions) as session:
        row = session.get(OutreachRequest, outreach_id)
        assert row is not None
        row.next_attempt_at = datetime.now(row.created_at.tzinfo) - timedelta(seconds=1)


def test_a_lost_answer_is_found_in_the_channel_and_not_posted_again(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    slack.lose_answer.add("chat.postMessage")  # Slack posts it, the desk never hears back
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    assert answer["status"] == "queued"
    [message] = slack.posted(GXYZ)

    _make_due(app_client, answer["id"])
    desk: Desk = app_client.app.state.desk  # type: ignore[attr-defined]
    run_outreach_once(desk)

    assert len(slack.posted(GXYZ)) == 1
    assert len(slack.calls_of("chat.postMessage")) == 1
    assert slack.calls_of("conversations.history")
    [stored] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert stored["status"] == "sent" and stored["ts"] == message["ts"] and stored["channel_id"] == GXYZ


def _waited(client: TestClient, outreach_id: int, days: int) -> None:
    """Make a queued outreach look requested `days` ago (Slack was down all along), due now."""
    desk: Desk = client.app.state.desk  # type: ignore[attr-defined]
    with transaction(desk.sessions) as session:
        row = session.get(OutreachRequest, outreach_id)
        assert row is not None
        row.created_at = row.created_at - timedelta(days=days)
        row.next_attempt_at = datetime.now(row.created_at.tzinfo) - timedelta(seconds=1)


def test_a_retry_searches_the_history_only_since_the_last_attempt_that_may_have_posted(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    slack.down = 1
    before = time.time()
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    _waited(app_client, answer["id"], days=3)

    run_outreach_once(app_client.app.state.desk)  # type: ignore[attr-defined]

    [search] = slack.calls_of("conversations.history")
    # From the first attempt (120 s of clock skew allowed), not from the request three days ago.
    assert before - 121 <= float(search["oldest"]) <= time.time()
    assert len(slack.posted(GXYZ)) == 1


def test_too_much_history_to_search_keeps_the_request_queued_rather_than_posting_twice(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    slack.down = 1
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    now = int(time.time())
    chatter = [
        {"type": "message", "user": "U0OTHER001", "text": f"msg {n}", "ts": f"{now}.{n:06d}"}
        for n in range(5001)
    ]
    slack.messages[GXYZ] = chatter
    _make_due(app_client, answer["id"])

    run_outreach_once(app_client.app.state.desk)  # type: ignore[attr-defined]

    assert slack.posted(GXYZ) == chatter and not slack.calls_of("chat.postMessage")[1:]
    [stored] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert stored["status"] == "queued" and "more than 5000 messages" in stored["last_error"]


def test_a_channel_slack_does_not_know_fails_clearly_and_is_kept(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str]
) -> None:
    response = app_client.post(
        f"/api/v1/tickets/{hn_ticket}/outreach", json={"channel": "#no-such-channel"}, headers=advocate
    )
    assert response.status_code == 422
    assert "channel_not_found" in response.json()["detail"]
    [stored] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert stored["status"] == "failed" and stored["next_attempt_at"] is None


def test_without_a_token_outreach_is_refused_and_with_a_wrong_one_it_waits(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk.settings.slack.bot_token = type(desk.settings.slack.bot_token)("")
    response = app_client.post(f"/api/v1/tickets/{hn_ticket}/outreach", json={}, headers=advocate)
    assert response.status_code == 503
    assert "DESK_SLACK__BOT_TOKEN" in response.json()["detail"]
    assert get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate) == []

    desk.settings.slack.bot_token = type(desk.settings.slack.bot_token)("xoxb-wrong")
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    assert answer["status"] == "queued"
    assert "invalid_auth" in answer["last_error"] and "DESK_SLACK__BOT_TOKEN" in answer["last_error"]


def test_an_unreachable_slack_queues_the_outreach(
    app_client: TestClient, hn_ticket: int, advocate: dict[str, str], desk: Desk
) -> None:
    desk.settings.slack.base_url = "http://127.0.0.1:9/api/"  # discard port: nothing listens
    answer = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    assert answer["status"] == "queued" and "cannot reach Slack" in answer["last_error"]


def test_without_a_channel_the_group_channel_then_the_fallback_is_asked(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str], desk: Desk
) -> None:
    answer = ask(app_client, hn_ticket, advocate)
    assert answer["channel"] == "#questions" and len(slack.posted("C0QUEST001")) == 1

    with transaction(desk.sessions) as session:
        stage = Stage(key="plan", name="Plan", slack_channel="#s_plan", attributes={})
        session.add(stage)
        session.flush()
        session.add(
            Group(
                stage_id=stage.id,
                key="project_management",
                name="Project Management",
                slack_channel=None,
                attributes={},
            )
        )
    response = app_client.patch(
        f"/api/v1/tickets/{hn_ticket}", json={"group_name": "project_management"}, headers=advocate
    )
    assert response.status_code == 200, response.text
    answer = ask(app_client, hn_ticket, advocate)
    assert answer["channel"] == "#s_plan" and len(slack.posted("C0SPLAN001")) == 1


def test_viewers_cannot_ask_experts(
    app_client: TestClient, hn_ticket: int, people: People, slack: FakeSlack
) -> None:
    response = app_client.post(
        f"/api/v1/tickets/{hn_ticket}/outreach", json={}, headers=bearer(people.viewer_token)
    )
    assert response.status_code == 403
    assert slack.calls == []


def test_a_malformed_channel_is_refused_before_anything_is_stored(
    cli: CliRunner, slack: FakeSlack, hn_ticket: int, app_client: TestClient, advocate: dict[str, str]
) -> None:
    result = cli.invoke(app, ["outreach", "send", str(hn_ticket), "--channel", "#Bad Channel!"])
    assert result.exit_code == 1
    assert "is not a Slack channel" in result.output
    assert slack.calls == []
    assert get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate) == []


def test_the_cli_sends_and_lists(cli: CliRunner, slack: FakeSlack, hn_ticket: int) -> None:
    result = cli.invoke(app, ["outreach", "send", str(hn_ticket), "--channel", "#g_xyz", "--expert", "@sam"])
    assert result.exit_code == 0, result.output
    assert "asked in #g_xyz: https://desk-test.slack.com/archives/C0GXYZ0001/p" in result.output
    listed = cli.invoke(app, ["outreach", "list", str(hn_ticket)])
    assert listed.exit_code == 0 and "sent" in listed.output and "@sam" in listed.output
    assert slack.posted(GXYZ)[0]["text"].startswith("@sam <https://news.ycombinator.com/")


def test_the_template_is_configurable_and_a_broken_one_is_a_clear_error(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    desk: Desk,
    tmp_path: Path,
) -> None:
    template = tmp_path / "ask.txt"
    template.write_text("{{ expert }}: could you answer on {{ platform }}? {{ link }} (#{{ ticket.id }})\n")
    desk.settings.outreach.template_file = template
    ask(app_client, hn_ticket, advocate, channel="#g_xyz", expert="@sam")
    [message] = slack.posted(GXYZ)
    assert message["text"] == (
        "@sam: could you answer on Hacker News? "
        f"<https://news.ycombinator.com/item?id=41000001> (#{hn_ticket})"
    )

    template.write_text("{{ expert ")
    response = app_client.post(f"/api/v1/tickets/{hn_ticket}/outreach", json={}, headers=advocate)
    assert response.status_code == 422
    assert str(template) in response.json()["detail"] and "template error" in response.json()["detail"]
    assert len(get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)) == 1
