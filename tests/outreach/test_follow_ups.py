"""Reminders and escalations in the outreach thread when no expert answers, each posted once; and the
interim public reply from the company account while waiting."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.db.engine import transaction
from communitydesk.experts.models import Person
from communitydesk.intake.scheduled import make_huey
from communitydesk.outreach.models import OutreachRequest
from communitydesk.outreach.scheduled import register_outreach
from communitydesk.runtime import Desk
from communitydesk.taxonomy.models import Group, Stage
from tests.api.helpers import get_ok, ticket_ids
from tests.conftest import People, bearer
from tests.factories import mention
from tests.fakes.slack import FakeSlack, signed
from tests.outreach.conftest import ask

GXYZ = "C0GXYZ0001"


def thread(slack: FakeSlack, ts: str) -> list[dict[str, Any]]:
    return [message for message in slack.posted(GXYZ) if message.get("thread_ts") == ts]


def remind(cli: CliRunner) -> str:
    result = cli.invoke(app, ["outreach", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def in_runner_group(desk: Desk, app_client: TestClient, hn_ticket: int, advocate: dict[str, str]) -> None:
    """The ticket belongs to a group with a PM and EMs, as the real stages.yml gives them."""
    with transaction(desk.sessions) as session:
        stage = Stage(
            key="verify", name="Verify", slack_channel="#s_verify", attributes={"pm": "Jackie Porter"}
        )
        session.add(stage)
        session.flush()
        session.add(
            Group(
                stage_id=stage.id,
                key="runner",
                name="Runner",
                slack_channel="#g_xyz",
                attributes={
                    "pm": "Darren Eastman",
                    "backend_engineering_manager": "Nicole Williams",
                    "frontend_engineering_manager": "TBD",
                },
            )
        )
        # The PM is in the people directory with a Slack id (so is pinged); the EM is not.
        session.add(Person(key="darren", name="Darren Eastman", role="PM", slack_user_id="U0DARREN1"))
    response = app_client.patch(
        f"/api/v1/tickets/{hn_ticket}", json={"group_name": "runner"}, headers=advocate
    )
    assert response.status_code == 200, response.text


def test_a_reminder_then_an_escalation_are_posted_in_the_thread_once_each(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    in_runner_group: None,
) -> None:
    outreach = ask(app_client, hn_ticket, advocate, expert="U0EXPERT01")
    assert outreach["channel"] == "#g_xyz"  # the group's channel, from the taxonomy
    assert "0 reminders, 0 escalations" in remind(cli)  # 24 hours have not passed

    monkeypatch.setenv("DESK_OUTREACH__REMINDER_AFTER_HOURS", "0")
    assert "1 reminders, 0 escalations" in remind(cli)
    assert "0 reminders, 0 escalations" in remind(cli)
    [reminder] = thread(slack, outreach["ts"])
    assert reminder["text"].startswith("<@U0EXPERT01> a friendly reminder")

    monkeypatch.setenv("DESK_OUTREACH__ESCALATE_AFTER_HOURS", "0")
    assert "0 reminders, 1 escalations" in remind(cli)
    assert "0 reminders, 0 escalations" in remind(cli)
    reminder_again, escalation = thread(slack, outreach["ts"])
    assert reminder_again == reminder
    assert "<@U0DARREN1> (PM), Nicole Williams (EM)" in escalation["text"]
    assert "TBD" not in escalation["text"]

    [view] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert [(nudge["kind"], nudge["status"]) for nudge in view["nudges"]] == [
        ("reminder", "sent"),
        ("escalation", "sent"),
    ]
    ticket = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}", advocate)
    notes = [note["body"] for note in ticket["notes"]]
    assert any(body.startswith("Reminder posted in the Slack thread") for body in notes)
    assert any(body.startswith("Escalation posted in the Slack thread") for body in notes)
    assert ticket["status"] == "open"


def test_no_reminder_once_the_expert_replied_or_the_ticket_is_solved(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    desk: Desk,
) -> None:
    answered = ask(app_client, hn_ticket, advocate, channel="#g_xyz")
    body, headers = signed(slack.thread_reply(GXYZ, answered["ts"], "On it!"))
    assert app_client.post("/webhooks/slack/events", content=body, headers=headers).status_code == 200

    [other] = _new_ticket(desk)
    solved = ask(app_client, other, advocate, channel="#g_xyz")
    response = app_client.patch(f"/api/v1/tickets/{other}", json={"status": "solved"}, headers=advocate)
    assert response.status_code == 200

    monkeypatch.setenv("DESK_OUTREACH__REMINDER_AFTER_HOURS", "0")
    monkeypatch.setenv("DESK_OUTREACH__ESCALATE_AFTER_HOURS", "0")
    assert "0 reminders, 0 escalations" in remind(cli)
    assert [m for m in thread(slack, answered["ts"]) if m.get("bot_id")] == []
    assert thread(slack, solved["ts"]) == []


def _new_ticket(desk: Desk) -> list[int]:
    return ticket_ids(
        desk, mention("reddit", "t1_abc", "GitLab pages broke my site", url="https://reddit.com/r/gitlab/abc")
    )


def test_a_reminder_slack_did_not_take_waits_and_is_posted_once_later(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outreach = ask(app_client, hn_ticket, advocate, channel="#g_xyz")
    monkeypatch.setenv("DESK_OUTREACH__REMINDER_AFTER_HOURS", "0")
    slack.lose_answer.add("chat.postMessage")  # posted, but the desk does not know
    assert "0 reminders, 0 escalations posted, 1 waiting" in remind(cli)
    assert "1 reminders" in remind(cli)  # found in the thread (conversations.replies), not posted again
    assert len(thread(slack, outreach["ts"])) == 1
    assert slack.calls_of("conversations.replies")


def test_the_worker_runs_the_queue_and_the_reminders(
    app_client: TestClient,
    slack: FakeSlack,
    hn_ticket: int,
    advocate: dict[str, str],
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outreach = ask(app_client, hn_ticket, advocate, channel="#g_xyz")
    monkeypatch.setenv("DESK_OUTREACH__REMINDER_AFTER_HOURS", "0")
    monkeypatch.setenv("DESK_HACKERNEWS__ENABLED", "false")  # no source to poll: only outreach runs
    result = cli.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(thread(slack, outreach["ts"])) == 1


def test_the_interim_reply_is_recorded_with_its_time(
    app_client: TestClient, hn_ticket: int, advocate: dict[str, str], people: People
) -> None:
    response = app_client.post(f"/api/v1/tickets/{hn_ticket}/interim-reply", json={}, headers=advocate)
    assert response.status_code == 201, response.text
    reply = response.json()
    assert reply["kind"] == "interim" and reply["body"].startswith("Thanks for raising this!")
    assert reply["author_label"] == "Advocate" and reply["created_at"]

    custom = app_client.post(
        f"/api/v1/tickets/{hn_ticket}/interim-reply",
        json={"text": "We're on it <b>today</b>", "url": "https://news.ycombinator.com/item?id=41000002"},
        headers=advocate,
    )
    assert custom.status_code == 201
    replies = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/public-replies", advocate)
    assert [r["body"] for r in replies] == [reply["body"], "We're on it <b>today</b>"]
    ticket = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}", advocate)
    assert ticket["status"] == "open"
    assert [e["action"] for e in ticket["audit"]].count("public_reply") == 2

    viewer = app_client.post(
        f"/api/v1/tickets/{hn_ticket}/interim-reply", json={}, headers=bearer(people.viewer_token)
    )
    assert viewer.status_code == 403


def test_the_interim_text_is_configurable_and_the_cli_records_it(
    cli: CliRunner,
    hn_ticket: int,
    monkeypatch: pytest.MonkeyPatch,
    app_client: TestClient,
    advocate: dict[str, str],
) -> None:
    monkeypatch.setenv(
        "DESK_OUTREACH__INTERIM_REPLY", "Hi {{ requester }}, {{ company }} experts are looking."
    )
    result = cli.invoke(app, ["outreach", "interim", str(hn_ticket)])
    assert result.exit_code == 0, result.output
    [reply] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/public-replies", advocate)
    assert reply["body"] == "Hi someone, GitLab experts are looking."
    assert reply["author_label"] == "cli"


def test_the_worker_schedules_the_outreach_task(
    app_client: TestClient, slack: FakeSlack, hn_ticket: int, advocate: dict[str, str], desk: Desk
) -> None:
    slack.down = 1
    queued = ask(app_client, hn_ticket, advocate, 202, channel="#g_xyz")
    with transaction(desk.sessions) as session:
        row = session.get(OutreachRequest, queued["id"])
        assert row is not None
        row.next_attempt_at = row.created_at  # due now
    huey = make_huey(desk.settings)
    task = register_outreach(huey, desk)
    assert task.name == "outreach"
    task.call_local()  # what the consumer runs every DESK_OUTREACH__INTERVAL_MINUTES
    assert len(slack.posted(GXYZ)) == 1
    [view] = get_ok(app_client, f"/api/v1/tickets/{hn_ticket}/outreach", advocate)
    assert view["status"] == "sent"
