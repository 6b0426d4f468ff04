"""Docs-first in a real browser: the panel loads by htmx, a reply in one click, a gap becomes an issue."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.urls import UrlRule
from communitydesk.runtime import Desk
from communitydesk.settings.docs import GitLabSettings
from communitydesk.tickets import service as tickets
from tests.conftest import PASSWORD, People
from tests.docs.conftest import BASE, EXCLUDE, write_tree
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.server import httpserver_listen_address
from tests.web.helpers import make_ticket

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["httpserver_listen_address"]
PROTECT_URL = "https://docs.example.com/ci/variables/#protect-a-cicd-variable"


def _log_in(page: Page, people: People) -> None:
    page.get_by_label("Email").fill(people.advocate.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_docs_panel_reply_and_docs_issue(
    live_server: str, chromium: Browser, desk: Desk, people: People, tmp_path: Path, httpserver: HTTPServer
) -> None:
    from playwright.sync_api import expect

    index = service.open_index(desk.settings)
    service.index(index, [DocsTree(write_tree(tmp_path / "docs"), UrlRule(BASE))], exclude=EXCLUDE)
    index.close()
    gitlab = FakeGitLab(httpserver).install()
    desk.settings.gitlab = GitLabSettings(
        base_url=gitlab.base_url, token=SecretStr(gitlab.token), project=gitlab.project_path
    )
    answered = make_ticket(
        desk, "r1", text="How can I protect a variable so it only reaches protected branches?"
    )
    gap = make_ticket(
        desk, "r2", text="Best pizza dough recipe: flour, water, salt and a slow rise overnight."
    )
    page = chromium.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server}/tickets/{answered}")
    _log_in(page, people)
    panel = page.locator("#docs")
    expect(panel.locator(".docs-suggestion").first).to_contain_text("Protect a CI/CD variable")
    expect(panel.locator("mark").first).to_be_visible()
    screenshots = os.environ.get("DESK_TEST_SCREENSHOT_DIR")
    if screenshots:
        page.screenshot(path=str(Path(screenshots) / "docs-panel.png"), full_page=True, caret="initial")
    panel.get_by_role("button", name="Draft reply with this link").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Drafted the reply")
    expect(page.locator("#notes")).to_contain_text(PROTECT_URL)

    page.goto(f"{live_server}/tickets/{gap}")
    expect(page.locator(".docs-gap")).to_contain_text("No docs page answers this well")
    page.get_by_role("button", name="Draft a docs issue").click()
    title = page.get_by_label("Title")
    expect(title).to_have_value(
        "Docs gap: Best pizza dough recipe: flour, water, salt and a slow rise overnight."
    )
    title.fill("Docs gap: bread in pipelines")
    if screenshots:
        page.screenshot(path=str(Path(screenshots) / "docs-issue.png"), full_page=True, caret="initial")
    page.get_by_role("button", name="File in GitLab").click()
    issue_url = "https://gitlab.example.com/gitlab-org/gitlab/-/issues/1"
    expect(page.locator(".flash-success")).to_contain_text(f"Filed docs issue {issue_url}")
    expect(page.locator("#links")).to_contain_text(issue_url)
    page.locator("#docs").get_by_role("button", name="Draft reply with this issue").click()
    expect(page.locator("#notes")).to_contain_text(issue_url)
    page.context.close()

    assert problems == [], problems
    assert [issue["title"] for issue in gitlab.issues] == ["Docs gap: bread in pipelines"]
    with desk.sessions() as session:
        ticket = tickets.get(session, gap)
        assert ticket is not None
        assert [(link.kind, link.target_url) for link in tickets.links_of(session, ticket)] == [
            ("docs_issue", issue_url)
        ]
