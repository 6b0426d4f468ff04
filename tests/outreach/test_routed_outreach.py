"""Outreach without a channel asks where routing points: its channel and first person with a Slack id."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from communitydesk.runtime import Desk
from tests.api.helpers import ticket_ids
from tests.conftest import People
from tests.factories import mention
from tests.fakes.slack import FakeSlack
from tests.outreach.conftest import ask
from tests.web.helpers import log_in

RUNNER = "C0RUNNER01"


def test_outreach_without_a_channel_goes_where_routing_points(
    app_client: TestClient,
    routing_desk: Desk,
    slack: FakeSlack,
    advocate: dict[str, str],
) -> None:
    slack.channels[RUNNER] = "g_runner"
    [ticket_id] = ticket_ids(
        routing_desk,
        mention(
            "forum",
            "runner-403",
            "Registering a runner with a runner authentication token fails; the runner never picks up "
            "jobs with my runner tags on the docker executor.",
        ),
    )
    routed = app_client.get(f"/api/v1/tickets/{ticket_id}/routing", headers=advocate).json()
    assert routed["channel"] == "#g_runner" and not routed.get("fallback")
    expected_person = next(e["slack_user_id"] for e in routed["experts"] if e["slack_user_id"])

    sent = ask(app_client, ticket_id, advocate)

    assert (sent["channel"], sent["expert"], sent["status"]) == ("#g_runner", expected_person, "sent")
    [message] = slack.posted(RUNNER)
    assert f"<@{expected_person}>" in message["text"]


def test_the_who_to_ask_card_asks_with_one_click(
    app_client: TestClient,
    routing_desk: Desk,
    slack: FakeSlack,
    people: People,
) -> None:
    slack.channels[RUNNER] = "g_runner"
    [ticket_id] = ticket_ids(
        routing_desk,
        mention("forum", "runner-tags", "Runner tags: my runner never picks up jobs tagged docker."),
    )
    csrf = log_in(app_client, people.advocate.email)
    card = app_client.get(f"/tickets/{ticket_id}/routing", headers={"HX-Request": "true"}).text
    assert 'id="routing-ask"' in card and 'name="channel" value="#g_runner"' in card
    expert = re.search(r'name="expert" value="([^"]+)"', card)
    assert expert is not None

    page = app_client.post(
        f"/tickets/{ticket_id}/outreach",
        data={"channel": "#g_runner", "expert": expert.group(1), "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Asked in #g_runner" in page.text
    assert len(slack.posted(RUNNER)) == 1
    log_in(app_client, people.viewer.email)
    viewer_card = app_client.get(f"/tickets/{ticket_id}/routing", headers={"HX-Request": "true"}).text
    assert 'id="routing-ask"' not in viewer_card
