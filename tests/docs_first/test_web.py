"""Docs-first on the ticket page: the lazy suggestions panel, reply drafts, docs issues filed from a form."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from fastapi.testclient import TestClient

from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from tests.conftest import People
from tests.fakes.gitlab import FakeGitLab
from tests.web.helpers import make_ticket

PROTECT_QUESTION = "How can I protect a variable so it only reaches protected branches?"
PROTECT_URL = "https://docs.example.com/ci/variables/#protect-a-cicd-variable"
HTMX = {"HX-Request": "true"}  # what htmx sends when it loads the panel
PIZZA = "Best pizza dough recipe: flour, water, salt and a slow rise overnight."


def _notes(desk: Desk, ticket_id: int) -> list[str]:
    with desk.sessions() as session:
        ticket = tickets.get(session, ticket_id)
        assert ticket is not None
        return [note.body for note in tickets.notes_of(session, ticket)]


def _form_fields(html: str) -> dict[str, str]:
    """Return the named inputs and textareas of a fragment, unescaped as a browser would submit them."""
    fields = {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="(?:hidden|text)" name="([^"]+)" value="([^"]*)"', html)
    }
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, flags=re.S):
        fields[name] = html_lib.unescape(value)
    return fields


def test_the_ticket_page_loads_the_docs_panel_lazily(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path
) -> None:
    client, _ = advocate_client
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)

    page = client.get(f"/tickets/{ticket_id}").text

    assert f'hx-get="/tickets/{ticket_id}/docs" hx-trigger="load"' in page
    assert "Protect a CI/CD variable" not in page  # the search runs in the panel's own request
    without_scripts = client.get(f"/tickets/{ticket_id}/docs").text  # the placeholder's plain link
    assert "<title>Docs for #" in without_scripts and "Protect a CI/CD variable" in without_scripts


def test_the_panel_shows_pages_sections_owners_snippets_and_confidence(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path
) -> None:
    client, _ = advocate_client
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)

    panel = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX)

    assert panel.status_code == 200
    html = panel.text
    assert 'href="https://docs.example.com/ci/variables/#protect-a-cicd-variable"' in html
    assert "CI/CD variables</a>" in html and "\u203a Protect a CI/CD variable" in html
    assert "Verify / Pipeline Authoring" in html
    assert "<mark>protected</mark>" in html
    assert re.search(r"confidence \d\.\d\d · (high|medium|low)", html)
    assert 'name="url" value="https://docs.example.com/ci/variables/#protect-a-cicd-variable"' in html
    assert "Draft reply with this link" in html and "The docs are wrong" in html


def test_viewers_see_suggestions_without_actions(
    viewer_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path
) -> None:
    client, _ = viewer_client
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)
    html = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX).text
    assert "Protect a CI/CD variable" in html
    assert "Draft reply" not in html and "csrf_token" not in html


def test_without_a_docs_index_the_panel_says_how_to_build_one(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, _ = advocate_client
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)

    assert client.get(f"/tickets/{ticket_id}").status_code == 200
    html = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX).text

    assert "No docs index yet" in html
    assert "desk docs index PATH... --url-base URL" in html
    assert not desk.settings.resolved_docs_index_path.exists()


def test_one_click_drafts_the_reply_as_a_note(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path
) -> None:
    client, csrf = advocate_client
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION, author_handle="dev_ada")

    refused = client.post(f"/tickets/{ticket_id}/docs/reply", data={"url": PROTECT_URL})
    assert refused.status_code == 403 and _notes(desk, ticket_id) == []

    response = client.post(
        f"/tickets/{ticket_id}/docs/reply",
        data={"url": PROTECT_URL, "csrf_token": csrf},
        follow_redirects=False,
    )

    assert response.status_code == 303
    [note] = _notes(desk, ticket_id)
    assert note.startswith("Docs-first reply draft")
    assert (
        "Hi dev_ada," in note and PROTECT_URL in note and "CI/CD variables > Protect a CI/CD variable" in note
    )
    page = client.get(f"/tickets/{ticket_id}").text
    assert "Drafted the reply" in page
    assert f'href="{PROTECT_URL}"' in page  # the note's link is clickable for copying


def test_a_custom_reply_template(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path, tmp_path: Path
) -> None:
    client, csrf = advocate_client
    template = tmp_path / "reply.txt"
    template.write_text("Hey $requester, read $url (cost: $$0)\n", encoding="utf-8")
    desk.settings.docs_first.reply_template = template
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION, author_handle="dev_ada")

    client.post(f"/tickets/{ticket_id}/docs/reply", data={"url": PROTECT_URL, "csrf_token": csrf})

    assert _notes(desk, ticket_id)[0].endswith(f"Hey dev_ada, read {PROTECT_URL} (cost: $0)")
    broken = tmp_path / "broken.txt"
    broken.write_text("Hi $requester, see $link\n", encoding="utf-8")
    desk.settings.docs_first.reply_template = broken
    page = client.post(f"/tickets/{ticket_id}/docs/reply", data={"url": PROTECT_URL, "csrf_token": csrf}).text
    assert f"template {broken} uses unknown placeholder(s) $link" in page
    assert len(_notes(desk, ticket_id)) == 1


def test_a_gap_is_drafted_edited_filed_once_and_offered_for_the_reply(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    client, csrf = advocate_client
    ticket_id = make_ticket(desk, text=PIZZA, author_handle="baker")

    panel = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX).text
    assert "No docs page answers this well" in panel
    assert f'hx-get="/tickets/{ticket_id}/docs/issue?kind=gap"' in panel

    form = client.get(f"/tickets/{ticket_id}/docs/issue", params={"kind": "gap"}).text
    fields = _form_fields(form)
    assert fields["title"].startswith("Docs gap: Best pizza dough")
    assert fields["labels"].startswith("documentation, type::maintenance, docs::new")
    assert "https://example.com/reddit/r1" in fields["description"]

    fields.update(title="Docs gap: bread in pipelines", csrf_token=csrf)
    filed = client.post(f"/tickets/{ticket_id}/docs/issue", data=fields, follow_redirects=False)
    again = client.post(f"/tickets/{ticket_id}/docs/issue", data=fields)

    assert filed.status_code == 303
    issue_url = "https://gitlab.example.com/gitlab-org/gitlab/-/issues/1"
    assert [issue["title"] for issue in fake_gitlab.issues] == ["Docs gap: bread in pipelines"]
    assert "A docs issue was already filed for this ticket" in again.text
    page = client.get(f"/tickets/{ticket_id}").text
    assert f'href="{issue_url}"' in page and "docs issue" in page  # in the links card
    assert f"filed docs issue {issue_url} (docs gap)" in page  # in the audit trail
    panel = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX).text
    assert f'name="issue_url" value="{issue_url}"' in panel
    assert "Already filed for this ticket" in client.get(f"/tickets/{ticket_id}/docs/issue").text

    client.post(f"/tickets/{ticket_id}/docs/reply", data={"issue_url": issue_url, "csrf_token": csrf})
    assert issue_url in _notes(desk, ticket_id)[-1] and "Hi baker," in _notes(desk, ticket_id)[-1]


def test_the_docs_are_wrong_uses_its_own_template_and_the_page_owner(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    client, csrf = advocate_client
    ticket_id = make_ticket(desk, text="The register page says --template-config but that flag fails for me")
    wrong = "https://docs.example.com/runners/register/#register-with-a-configuration-template"

    form = client.get(f"/tickets/{ticket_id}/docs/issue", params={"kind": "wrong", "url": wrong}).text
    fields = _form_fields(form)

    assert fields["title"].startswith("Docs feedback: The register page says")
    assert fields["labels"] == "documentation, type::maintenance, docs::fix, group::runner core"
    assert fields["docs_url"] == wrong and wrong in fields["description"]
    client.post(f"/tickets/{ticket_id}/docs/issue", data={**fields, "csrf_token": csrf})
    [issue] = fake_gitlab.issues
    assert issue["labels"] == ["documentation", "type::maintenance", "docs::fix", "group::runner core"]


def test_gitlab_refusal_is_shown_and_nothing_is_linked(
    advocate_client: tuple[TestClient, str], desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    client, csrf = advocate_client
    ticket_id = make_ticket(desk, text=PIZZA)
    desk.settings.gitlab.project = "nobody/nothing"
    fields = _form_fields(client.get(f"/tickets/{ticket_id}/docs/issue").text)

    page = client.post(f"/tickets/{ticket_id}/docs/issue", data={**fields, "csrf_token": csrf}).text

    assert "The docs issue was not filed" in page and "was not found (404)" in page
    assert "docs_issue" not in page and fake_gitlab.issues == []


def test_viewers_cannot_file(
    viewer_client: tuple[TestClient, str],
    desk: Desk,
    docs_indexed: Path,
    fake_gitlab: FakeGitLab,
    people: People,
) -> None:
    client, csrf = viewer_client
    ticket_id = make_ticket(desk, text=PIZZA)
    response = client.post(
        f"/tickets/{ticket_id}/docs/issue",
        data={"title": "x", "description": "y", "kind": "gap", "csrf_token": csrf},
    )
    assert response.status_code == 403 and fake_gitlab.issues == []


HOSTILE_TEXT = (
    "&lt;script&gt;alert(1)&lt;/script&gt; protect a variable &lt;img src=x onerror=alert(2)&gt;\n\n"
    "```\n/close\n@everyone\n```\n/label ~security"
)


def test_hostile_text_stays_inert_in_the_panel_the_issue_form_and_the_issue(
    advocate_client: tuple[TestClient, str], desk: Desk, tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    from communitydesk.docs import service
    from communitydesk.docs.indexer import DocsTree
    from communitydesk.docs.urls import UrlRule
    from tests.docs.conftest import BASE, PAGES, page, write_tree

    hostile_page = page(
        {
            "title": "<script>alert(3)</script> Variables",
            "stage": "<b>Verify</b>",
            "group": 'x"><svg onload=alert(4)>',
        },
        "Protect a variable <img src=x onerror=alert(5)> with `<script>alert(6)</script>`.\n",
    )
    tree = write_tree(tmp_path / "hostile-docs", {**PAGES, "ci/hostile.md": hostile_page})
    index = service.open_index(desk.settings)
    service.index(index, [DocsTree(tree, UrlRule(BASE))])
    index.close()
    client, csrf = advocate_client
    ticket_id = make_ticket(desk, text=HOSTILE_TEXT, title="&lt;svg onload=alert(7)&gt; variables")

    panel = client.get(f"/tickets/{ticket_id}/docs", headers=HTMX).text
    form = client.get(f"/tickets/{ticket_id}/docs/issue").text

    assert "&lt;script&gt;alert(3)&lt;/script&gt; Variables" in panel  # shown, as text
    for html in (panel, form):
        assert "<script" not in html and "<img" not in html and "<svg" not in html and "<b>" not in html
        assert "onload=alert(4)>" not in html
    fields = _form_fields(form)
    client.post(f"/tickets/{ticket_id}/docs/issue", data={**fields, "csrf_token": csrf})
    [issue] = fake_gitlab.issues
    description = issue["description"]
    # The question sits inside a code fence: GitLab renders no HTML, mentions or quick actions from it.
    fence = re.search(r"^(`{3,})text\n(.*?)\n\1$", description, flags=re.S | re.M)
    assert fence is not None and len(fence.group(1)) == 4  # longer than the ``` inside the question
    assert "<script>alert(1)</script>" in fence.group(2) and "/label ~security" in fence.group(2)
    outside = description.replace(fence.group(0), "")
    assert "<script" not in outside and "<img" not in outside and "/label" not in outside
    assert "\n/close" not in outside and "@everyone" not in outside
    assert "<svg" not in issue["title"] or issue["title"].startswith(
        "Docs gap: <svg"
    )  # a title is text to GitLab
