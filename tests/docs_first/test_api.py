"""Docs-first answers over the API: suggestions for text and tickets, reply drafts, docs issues in GitLab."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.runtime import Desk
from communitydesk.tickets.models import Note, TicketLink
from tests.conftest import People, bearer
from tests.fakes.gitlab import FakeGitLab
from tests.web.helpers import make_ticket

PROTECT_QUESTION = "How can I protect a variable so it only reaches protected branches?"
PROTECT_URL = "https://docs.example.com/ci/variables/#protect-a-cicd-variable"
PIZZA = "Best pizza dough recipe: flour, water, salt and a slow rise overnight."


def test_suggest_any_text(app_client: TestClient, people: People, docs_indexed: Path) -> None:
    response = app_client.get(
        "/api/v1/docs/suggest", params={"q": PROTECT_QUESTION, "top": 3}, headers=bearer(people.viewer_token)
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["index_ready"] is True
    best = body["suggestions"][0]
    assert (best["path"], best["url"], best["section"]) == (
        "ci/variables.md",
        PROTECT_URL,
        "Protect a CI/CD variable",
    )
    assert (best["stage"], best["group"]) == ("Verify", "Pipeline Authoring")
    assert {"text": "protected", "match": True} in best["highlights"]
    assert "protected" in best["snippet"]
    assert 0 < body["confidence"] <= 1 and len(body["suggestions"]) <= 3


def test_suggest_needs_a_token_and_text(app_client: TestClient, people: People, docs_indexed: Path) -> None:
    assert app_client.get("/api/v1/docs/suggest", params={"q": "x"}).status_code == 401
    response = app_client.get("/api/v1/docs/suggest", headers=bearer(people.viewer_token))
    assert response.status_code == 422


def test_without_an_index_the_answer_says_how_to_build_one(
    app_client: TestClient, people: People, desk: Desk
) -> None:
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)
    headers = bearer(people.viewer_token)

    for url, params in (
        ("/api/v1/docs/suggest", {"q": PROTECT_QUESTION}),
        (f"/api/v1/tickets/{ticket_id}/docs-suggestions", {}),
    ):
        body = app_client.get(url, params=params, headers=headers).json()
        assert body["index_ready"] is False
        assert "desk docs index" in body["hint"]
        assert body["suggestions"] == []
    assert not desk.settings.resolved_docs_index_path.exists()  # a page view never creates the index


def test_ticket_suggestions_and_a_reply_draft_kept_as_a_note(
    app_client: TestClient, people: People, desk: Desk, db: Session, docs_indexed: Path
) -> None:
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION, author_handle="dev_ada")

    body = app_client.get(
        f"/api/v1/tickets/{ticket_id}/docs-suggestions", headers=bearer(people.viewer_token)
    ).json()
    assert body["ticket_id"] == ticket_id and body["index_ready"] is True
    assert body["low_confidence"] is (body["confidence"] < desk.settings.docs_first.low_confidence)
    assert body["suggestions"][0]["url"] == PROTECT_URL

    response = app_client.post(
        f"/api/v1/tickets/{ticket_id}/docs-reply",
        json={"url": PROTECT_URL},
        headers=bearer(people.advocate_token),
    )

    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["text"].startswith("Hi dev_ada,")
    assert "CI/CD variables > Protect a CI/CD variable" in draft["text"]
    assert PROTECT_URL in draft["text"]
    note = db.get(Note, draft["note_id"])
    assert note is not None and note.ticket_id == ticket_id and draft["text"] in note.body
    audit = app_client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(people.viewer_token)).json()[
        "audit"
    ]
    assert {
        "action": "docs_reply_drafted",
        "new_value": PROTECT_URL,
        "actor_label": "Advocate",
    }.items() <= next(event for event in audit if event["action"] == "docs_reply_drafted").items()


def test_reply_drafts_are_for_editors_and_http_links(
    app_client: TestClient, people: People, desk: Desk, docs_indexed: Path
) -> None:
    ticket_id = make_ticket(desk, text=PROTECT_QUESTION)
    url = f"/api/v1/tickets/{ticket_id}/docs-reply"

    viewer = app_client.post(url, json={"url": PROTECT_URL}, headers=bearer(people.viewer_token))
    script = app_client.post(url, json={"url": "javascript:alert(1)"}, headers=bearer(people.advocate_token))
    neither = app_client.post(url, json={}, headers=bearer(people.advocate_token))
    foreign_issue = app_client.post(
        url, json={"issue_url": "https://evil.example/x"}, headers=bearer(people.advocate_token)
    )
    missing = app_client.post(
        "/api/v1/tickets/999999/docs-reply", json={"url": PROTECT_URL}, headers=bearer(people.advocate_token)
    )

    assert viewer.status_code == 403
    assert (script.status_code, script.json()["detail"]) == (422, "a docs link must be an http(s) URL")
    assert neither.status_code == 422
    assert foreign_issue.status_code == 422 and "has no docs issue" in foreign_issue.json()["detail"]
    assert missing.status_code == 404


def test_a_gap_is_drafted_filed_once_linked_and_offered_for_the_reply(
    app_client: TestClient,
    people: People,
    desk: Desk,
    db: Session,
    docs_indexed: Path,
    fake_gitlab: FakeGitLab,
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA, author_handle="baker")
    headers = bearer(people.advocate_token)

    suggestions = app_client.get(f"/api/v1/tickets/{ticket_id}/docs-suggestions", headers=headers).json()
    assert suggestions["low_confidence"] is True

    draft = app_client.get(f"/api/v1/tickets/{ticket_id}/docs-issue", headers=headers).json()
    assert draft["kind"] == "gap" and draft["filed_url"] is None
    assert draft["title"].startswith("Docs gap: Best pizza dough recipe")
    assert "https://example.com/reddit/r1" in draft["description"]
    assert PIZZA in draft["description"]
    assert draft["labels"][:3] == ["documentation", "type::maintenance", "docs::new"]

    filed = app_client.post(
        f"/api/v1/tickets/{ticket_id}/docs-issue",
        json={
            "kind": "gap",
            "title": "Docs gap: sourdough in CI",
            "labels": ["documentation", "group::runner core"],
        },
        headers=headers,
    )
    again = app_client.post(f"/api/v1/tickets/{ticket_id}/docs-issue", json={"kind": "gap"}, headers=headers)

    assert filed.status_code == 200, filed.text
    issue_url = "https://gitlab.example.com/gitlab-org/gitlab/-/issues/1"
    assert filed.json() == {"kind": "gap", "web_url": issue_url, "created": True}
    assert again.json() == {"kind": "gap", "web_url": issue_url, "created": False}
    assert len(fake_gitlab.issues) == 1
    issue = fake_gitlab.issues[0]
    assert issue["title"] == "Docs gap: sourdough in CI"
    assert issue["labels"] == ["documentation", "group::runner core"]
    assert PIZZA in issue["description"]
    assert fake_gitlab.requests[0]["project"] == "gitlab-org/gitlab"
    links = db.scalars(select(TicketLink).where(TicketLink.ticket_id == ticket_id)).all()
    assert [(link.kind, link.target_url) for link in links] == [("docs_issue", issue_url)]

    detail = app_client.get(f"/api/v1/tickets/{ticket_id}/docs-suggestions", headers=headers).json()
    assert detail["docs_issues"] == [issue_url]
    reply = app_client.post(
        f"/api/v1/tickets/{ticket_id}/docs-reply", json={"issue_url": issue_url}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["text"].startswith("Hi baker,") and issue_url in reply.json()["text"]

    forced = app_client.post(
        f"/api/v1/tickets/{ticket_id}/docs-issue", json={"kind": "gap", "force": True}, headers=headers
    )
    assert forced.json()["created"] is True and len(fake_gitlab.issues) == 2


def test_gitlab_refusals_are_clear_and_change_nothing(
    app_client: TestClient,
    people: People,
    desk: Desk,
    db: Session,
    docs_indexed: Path,
    fake_gitlab: FakeGitLab,
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)
    url = f"/api/v1/tickets/{ticket_id}/docs-issue"
    headers = bearer(people.advocate_token)
    gitlab = desk.settings.gitlab

    cases = [
        (
            gitlab.model_copy(update={"token": gitlab.token.__class__("wrong")}),
            502,
            "refused the token (401)",
        ),
        (gitlab.model_copy(update={"token": gitlab.token.__class__("glpat-read-only")}), 502, "(403)"),
        (gitlab.model_copy(update={"project": "nobody/nothing"}), 502, "was not found (404)"),
        (gitlab.model_copy(update={"project": ""}), 503, "DESK_GITLAB__PROJECT"),
        (gitlab.model_copy(update={"base_url": "http://127.0.0.1:9"}), 502, "cannot reach"),
    ]
    for section, code, message in cases:
        desk.settings.gitlab = section
        response = app_client.post(url, json={"kind": "gap"}, headers=headers)
        assert response.status_code == code, (section, response.text)
        assert message in response.json()["detail"]
        assert "glpat" not in response.json()["detail"]  # the token never appears in a message
    assert fake_gitlab.issues == []
    assert db.scalars(select(TicketLink).where(TicketLink.ticket_id == ticket_id)).all() == []


def test_a_rate_limited_gitlab_is_reported_at_once_and_filing_works_later(
    app_client: TestClient, people: People, desk: Desk, fake_gitlab: FakeGitLab
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)
    url = f"/api/v1/tickets/{ticket_id}/docs-issue"
    fake_gitlab.throttled = 1  # with Retry-After: 3600, which must not be slept in a request

    limited = app_client.post(url, json={"kind": "gap"}, headers=bearer(people.advocate_token))
    later = app_client.post(url, json={"kind": "gap"}, headers=bearer(people.advocate_token))

    assert limited.status_code == 502 and "rate-limiting issue creation (429)" in limited.json()["detail"]
    assert later.status_code == 200 and later.json()["created"] is True
    assert len(fake_gitlab.issues) == 1
