"""End to end in a real browser: log in, open a ticket, apply a macro, see the result.

Set DESK_TEST_SCREENSHOT_DIR to a folder to keep screenshots of the ticket page and the queue.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from tests.conftest import PASSWORD, People
from tests.web.helpers import make_ticket

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage

SLACK_LINK = "https://example.slack.com/archives/C0123/p1700000000"


@pytest.mark.browser
def test_advocate_reaches_out_to_an_expert(
    live_server: str, chromium: Browser, desk: Desk, people: People
) -> None:
    from playwright.sync_api import expect

    make_ticket(desk, "r0", text="Unrelated question about GitLab Pages")
    ticket_id = make_ticket(
        desk,
        text="How do I cache GitLab CI dependencies between jobs?\n\nTried cache:key, no luck.",
        author_name="Kim",
        author_handle="kim_dev",
    )
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    problems: list[str] = []

    def console_error(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation or a script error
            problems.append(message.text)

    page.on("console", console_error)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/tickets/{ticket_id}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill(people.advocate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server}/tickets/{ticket_id}")
    expect(page.locator(".mention-text")).to_contain_text("Tried cache:key, no luck.")

    macro = page.locator('select[name="macro"]')
    macro.select_option("Expert Responded")  # htmx swaps in this macro's (empty) inputs...
    expect(page.locator('input[name="var_expert"]')).to_have_count(0)
    macro.select_option("Reached out to expert")  # ...and back to the ones this macro asks for
    page.locator('input[name="var_expert"]').fill("@sam")
    page.locator('input[name="var_slack_channel"]').fill("#s_verify")
    page.locator('input[name="var_slack_permalink"]').fill(SLACK_LINK)
    page.get_by_role("button", name="Apply macro").click()

    expect(page.locator(".flash-success")).to_contain_text("Applied macro “Reached out to expert”.")
    expect(page.locator("#tags")).to_contain_text("reached-out-to-expert")
    expect(page.locator("#properties select[name=status]")).to_have_value("open")
    audit = page.locator("#audit")
    expect(audit).to_contain_text("applied macro Reached out to expert")
    expect(audit).to_contain_text("changed status from new to open")
    expect(page.locator("#notes a", has_text=SLACK_LINK)).to_have_attribute("href", SLACK_LINK)
    expect(page).to_have_url(f"{live_server}/tickets/{ticket_id}")
    screenshots = os.environ.get("DESK_TEST_SCREENSHOT_DIR")
    if screenshots:
        page.screenshot(path=str(Path(screenshots) / "ticket.png"), full_page=True, caret="initial")

    page.get_by_role("navigation").get_by_role("link", name="Queue").click()
    page.locator("#filter-q").fill("Pages")
    expect(page.locator("#queue-results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/tickets\?.*q=Pages"))
    if screenshots:
        page.locator("#filter-q").fill("")
        expect(page.locator("#queue-results tbody tr")).to_have_count(2)
        page.screenshot(path=str(Path(screenshots) / "queue.png"), full_page=True, caret="initial")
    context.close()

    assert problems == [], "the pages logged errors"
    with desk.sessions() as session:
        ticket = tickets.get(session, ticket_id)
        assert ticket is not None
        assert (ticket.status, ticket.tags) == ("open", ["reached-out-to-expert"])
