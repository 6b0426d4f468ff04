"""In a real browser: ask an expert from the ticket page, see the Slack link, the expert's draft, post it.

Set DESK_TEST_SCREENSHOT_DIR to a folder to keep a screenshot of the ticket page.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from pytest_httpserver import HTTPServer

from communitydesk.config import Settings
from communitydesk.runtime import Desk
from tests.api.helpers import ticket_ids
from tests.conftest import PASSWORD, People
from tests.factories import mention
from tests.fakes.server import httpserver_listen_address
from tests.fakes.slack import FakeSlack, settings_for, signed

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["httpserver_listen_address"]
GXYZ = "C0GXYZ0001"


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    return FakeSlack(httpserver).install()


@pytest.fixture
def settings(settings: Settings, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return settings_for(slack, monkeypatch)


@pytest.fixture
def hn_ticket(desk: Desk) -> int:
    row = mention("hackernews", "41000001", "Why does the runner ignore my cache key on ARM?")
    [ticket_id] = ticket_ids(desk, row)
    return ticket_id


@pytest.mark.browser
def test_advocate_asks_an_expert_in_slack_and_posts_the_draft(
    live_server: str, chromium: Browser, desk: Desk, people: People, slack: FakeSlack, hn_ticket: int
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server}/tickets/{hn_ticket}")
    page.get_by_label("Email").fill(people.advocate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server}/tickets/{hn_ticket}")

    ask = page.locator("#ask-expert")
    ask.get_by_label("Slack channel").fill("#g_xyz")
    ask.get_by_label(re.compile("^Expert")).fill("U0EXPERT01")
    ask.get_by_role("button", name="Ask in Slack").click()
    expect(page.locator(".flash-success")).to_contain_text("Asked in #g_xyz")
    expect(page.locator("#outreach .outreach-sent")).to_have_count(1)
    expect(page.locator("#tags")).to_contain_text("reached-out-to-expert")
    [message] = slack.posted(GXYZ)
    permalink = f"https://desk-test.slack.com/archives/{GXYZ}/p{message['ts'].replace('.', '')}"
    expect(page.get_by_role("link", name="Open in Slack ↗")).to_have_attribute("href", permalink)

    body, headers = signed(slack.thread_reply(GXYZ, message["ts"], "draft: Key the cache per arch."))
    assert (
        httpx.post(f"{live_server}/webhooks/slack/events", content=body, headers=headers).status_code == 200
    )
    draft = page.locator("#outreach .thread-draft")
    deadline = time.monotonic() + 10
    while True:  # the author's name arrives from users.info just after Slack got its answer
        page.reload()
        expect(draft).to_contain_text("Key the cache per arch.")
        if "Sam the Runner Expert" in draft.inner_text() or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect(draft).to_contain_text("Sam the Runner Expert")
    draft.get_by_role("button", name="Posted it").click()
    expect(page.locator("#public-replies")).to_contain_text("Key the cache per arch.")

    screenshots = os.environ.get("DESK_TEST_SCREENSHOT_DIR")
    if screenshots:
        page.screenshot(path=str(Path(screenshots) / "ticket_outreach.png"), full_page=True, caret="initial")
    context.close()
    assert problems == [], "the pages logged errors"
