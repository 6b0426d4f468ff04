"""The ticket page: Ask an expert, the outreach thread with replies and drafts, the interim reply."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from communitydesk.runtime import Desk
from tests.conftest import People
from tests.fakes.slack import FakeSlack, signed
from tests.web.helpers import log_in

GXYZ = "C0GXYZ0001"


def test_asking_from_the_page_posts_to_slack_and_shows_the_thread(
    app_client: TestClient, people: People, slack: FakeSlack, hn_ticket: int, desk: Desk
) -> None:
    csrf = log_in(app_client, people.advocate.email)
    page = app_client.get(f"/tickets/{hn_ticket}")
    assert 'id="ask-expert"' in page.text and 'placeholder="the routed channel"' in page.text

    response = app_client.post(
        f"/tickets/{hn_ticket}/outreach",
        data={"channel": "#g_xyz", "expert": "U0EXPERT01", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Asked in #g_xyz" in response.text
    [message] = slack.posted(GXYZ)
    assert "Open in Slack ↗" in response.text and "reached-out-to-expert" in response.text

    for text in ("Looking at it <img src=x onerror=alert(1)>", "draft: Try `cache:key: $CI_JOB_NAME-$ARCH`."):
        body, headers = signed(slack.thread_reply(GXYZ, message["ts"], text))
        assert app_client.post("/webhooks/slack/events", content=body, headers=headers).status_code == 200
    page = app_client.get(f"/tickets/{hn_ticket}")
    assert "Sam the Runner Expert" in page.text
    assert "Looking at it &lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text
    assert "Draft for you to post" in page.text and "Try `cache:key: $CI_JOB_NAME-$ARCH`." in page.text
    assert "an expert handed over a draft reply in Slack" in page.text

    draft_id = int(re.findall(r'action="/tickets/\d+/drafts/(\d+)/posted"', page.text)[0])
    response = app_client.post(
        f"/tickets/{hn_ticket}/drafts/{draft_id}/posted", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "Recorded the expert&#39;s draft as posted." in response.text
    assert "expert&#39;s draft, posted" in response.text  # listed under the public replies


def test_a_slack_outage_is_shown_as_queued_on_the_page(
    app_client: TestClient, people: People, slack: FakeSlack, hn_ticket: int
) -> None:
    csrf = log_in(app_client, people.advocate.email)
    slack.down = 1
    response = app_client.post(
        f"/tickets/{hn_ticket}/outreach", data={"channel": "g_xyz", "csrf_token": csrf}, follow_redirects=True
    )
    assert "it is queued and will be retried" in response.text
    assert "outreach-queued" in response.text and "Slack answered HTTP 503" in response.text


def test_the_interim_reply_form_records_the_reply(
    app_client: TestClient, people: People, hn_ticket: int
) -> None:
    csrf = log_in(app_client, people.advocate.email)
    page = app_client.get(f"/tickets/{hn_ticket}")
    assert "Thanks for raising this!" in page.text  # the configured text, ready to edit
    response = app_client.post(
        f"/tickets/{hn_ticket}/interim-reply",
        data={
            "text": "We asked the runner team <b>now</b>.",
            "url": "javascript:alert(1)",
            "csrf_token": csrf,
        },
        follow_redirects=True,
    )
    assert "must be an http(s) URL" in response.text
    response = app_client.post(
        f"/tickets/{hn_ticket}/interim-reply",
        data={"text": "We asked the runner team <b>now</b>.", "csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Interim reply recorded." in response.text
    assert "We asked the runner team &lt;b&gt;now&lt;/b&gt;." in response.text
    assert "recorded a public reply from the company account" in response.text


def test_viewers_see_outreach_but_not_the_forms(
    app_client: TestClient, people: People, hn_ticket: int
) -> None:
    log_in(app_client, people.viewer.email)
    page = app_client.get(f"/tickets/{hn_ticket}")
    assert 'id="outreach"' in page.text and 'id="ask-expert"' not in page.text
    assert 'id="interim-reply"' not in page.text
