"""The metrics dashboard in a real browser: every chart drawn by the vendored Vega under the page's CSP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PASSWORD, People
from tests.metrics.conftest import History

# The October history and its settings, as fixtures of this module (re-exported by name).
from tests.metrics.conftest import _metrics_settings as _metrics_settings
from tests.metrics.conftest import history as history

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Request

CHARTS = ["outreach", "response_times", "tickets", "channels", "rising_tags", "docs_first"]


@pytest.mark.browser
def test_charts_render_offline(
    live_server: str,
    chromium: Browser,
    people: People,
    history: History,
) -> None:
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    problems: list[str] = []
    elsewhere: list[str] = []

    def console_error(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP violation or a script error
            problems.append(message.text)

    def request(request: Request) -> None:
        if not request.url.startswith(live_server):
            elsewhere.append(request.url)

    page.on("console", console_error)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", request)
    page.goto(f"{live_server}/login?next=/metrics%3Fmonth%3D2026-10")
    page.get_by_label("Email").fill(people.viewer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator('[data-metric="outreach"]')).to_have_text("2")
    for name in CHARTS:
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart).to_have_attribute("data-rendered", "true", timeout=15_000)
        expect(chart.locator("canvas")).to_have_count(1)
    box = page.locator('[data-chart="outreach"] canvas').bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 250
    screenshots = os.environ.get("DESK_TEST_SCREENSHOT_DIR")
    if screenshots:
        page.screenshot(path=str(Path(screenshots) / "metrics.png"), full_page=True, caret="initial")
    assert elsewhere == []
    assert problems == []
    context.close()
