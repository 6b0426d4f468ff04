"""The ticket page: what it shows, and the forms that change a ticket."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from tests.conftest import People
from tests.factories import ingest, mention
from tests.web.helpers import make_ticket

REACHED_OUT = {
    "macro": "Reached out to expert",
    "var_expert": "@sam",
    "var_slack_channel": "#s_verify",
    "var_slack_permalink": "https://slack.example/archives/C1/p42",
}


@dataclass(frozen=True)
class TicketState:
    status: str
    tags: list[str]
    assignee: int | None
    notes: list[str]
    audit: list[tuple[str, str | None]]


def _state(desk: Desk, ticket_id: int) -> TicketState:
    with desk.sessions() as session:
        ticket = tickets.get(session, ticket_id)
        assert ticket is not None
        return TicketState(
            status=ticket.status,
            tags=ticket.tags,
            assignee=ticket.assignee_id,
            notes=[note.body for note in tickets.notes_of(session, ticket)],
            audit=[(event.action, event.macro) for event in tickets.audit_of(session, ticket)],
        )


def test_the_page_shows_the_mention_thread_and_properties(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, _ = advocate_client
    ticket_id = make_ticket(
        desk, text="How do I cache GitLab CI?\nSecond line", author_name="Kim", author_handle="kim_dev"
    )
    page = client.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200
    assert "How do I cache GitLab CI?\nSecond line" in page.text
    assert "Kim" in page.text and "kim_dev" in page.text
    assert (
        '<a class="source-link" href="https://example.com/reddit/r1" target="_blank" '
        'rel="noopener noreferrer nofollow">' in page.text
    )
    for label in ("Stage", "Group", "Category", "Intent", "Audit trail", "created the ticket"):
        assert label in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_reached_out_to_expert_through_the_form(
    advocate_client: tuple[TestClient, str], desk: Desk, people: People
) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    fields = client.get(f"/tickets/{ticket_id}/macro-fields", params={"macro": "Reached out to expert"})
    for name in ("var_expert", "var_slack_channel", "var_slack_permalink"):
        assert f'name="{name}"' in fields.text
    assert 'name="var_link"' not in fields.text, "the mention link is filled in, not asked for"

    response = client.post(
        f"/tickets/{ticket_id}/macro", data={**REACHED_OUT, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/tickets/{ticket_id}"

    state = _state(desk, ticket_id)
    assert state.status == "open"
    assert state.tags == ["reached-out-to-expert"]
    (note,) = state.notes
    assert "@sam" in note and "#s_verify" in note and "https://slack.example/archives/C1/p42" in note

    page = client.get(f"/tickets/{ticket_id}").text
    assert "Applied macro “Reached out to expert”." in page
    assert '<span class="status status-open">open</span>' in page
    assert 'href="/tickets?tag=reached-out-to-expert"' in page
    for line in (
        "applied macro Reached out to expert",
        "added tag reached-out-to-expert",
        "changed status from new to open",
        "added an internal note",
    ):
        assert line in page
    assert page.count('<span class="macro-name">Reached out to expert</span>') == 4
    assert (
        '<a href="https://slack.example/archives/C1/p42" rel="noopener noreferrer nofollow" '
        'target="_blank">' in page
    )
    assert "Advocate" in page  # the actor in the audit trail


def test_status_tags_notes_and_assignee_through_forms(
    advocate_client: tuple[TestClient, str], desk: Desk, people: People
) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    base = f"/tickets/{ticket_id}"
    for path, data in [
        ("/status", {"status": "pending"}),
        ("/tags", {"tag": "CI Cache, docs"}),
        ("/tags/remove", {"tag": "docs"}),
        ("/notes", {"body": "Asked in #ci."}),
        ("/assignee", {"assignee": str(people.admin.id)}),
    ]:
        response = client.post(base + path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, (path, response.text)
    state = _state(desk, ticket_id)
    assert (state.status, state.tags, state.notes, state.assignee) == (
        "pending",
        ["ci-cache"],
        ["Asked in #ci."],
        people.admin.id,
    )
    page = client.get(base).text
    assert "assigned to Admin" in page and "removed tag docs" in page and "Asked in #ci." in page

    client.post(base + "/assignee", data={"assignee": "", "csrf_token": token})
    assert _state(desk, ticket_id).assignee is None


def test_refused_changes_come_back_as_messages(advocate_client: tuple[TestClient, str], desk: Desk) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    base = f"/tickets/{ticket_id}"
    client.post(base + "/status", data={"status": "closed", "csrf_token": token})
    before = _state(desk, ticket_id)
    for path, data, message in [
        ("/notes", {"body": "   "}, "a note cannot be empty"),
        ("/tags", {"tag": "no/slashes"}, "invalid tag"),
        ("/status", {"status": "open"}, "is closed and cannot change status"),
        ("/status", {"status": "sleeping"}, "unknown status"),
        ("/macro", {"macro": "No such macro"}, "there is no macro named"),
        ("/macro", REACHED_OUT, "is closed and cannot change status"),
        ("/assignee", {"assignee": "999"}, "no active user"),
    ]:
        response = client.post(base + path, data={**data, "csrf_token": token})
        assert response.status_code == 200, (path, response.text)
        assert message in response.text, path
        assert 'class="flash flash-error"' in response.text
    assert _state(desk, ticket_id) == before, "a macro that fails changes nothing"


def test_posts_without_the_csrf_token_are_refused(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, _ = advocate_client
    ticket_id = make_ticket(desk)
    before = _state(desk, ticket_id)
    for headers, data in [
        ({}, {"status": "open"}),
        ({}, {"status": "open", "csrf_token": "forged"}),
        ({"X-CSRF-Token": "forged"}, {"status": "open"}),
    ]:
        response = client.post(f"/tickets/{ticket_id}/status", data=data, headers=headers)
        assert response.status_code == 403
        assert "CSRF check failed" in response.text
    assert _state(desk, ticket_id) == before


def test_htmx_requests_send_the_token_as_a_header(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    page = client.get(f"/tickets/{ticket_id}").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    response = client.post(
        f"/tickets/{ticket_id}/status",
        data={"status": "open"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _state(desk, ticket_id).status == "open"


def test_viewers_see_everything_but_change_nothing(viewer_client: tuple[TestClient, str], desk: Desk) -> None:
    client, token = viewer_client
    ticket_id = make_ticket(desk)
    page = client.get(f"/tickets/{ticket_id}").text
    assert "How do I cache GitLab CI dependencies?" in page and "Audit trail" in page
    assert f'action="/tickets/{ticket_id}/' not in page, "no edit forms for viewers"
    before = _state(desk, ticket_id)
    for path, data in [
        ("/macro", REACHED_OUT),
        ("/status", {"status": "solved"}),
        ("/notes", {"body": "I should not be here"}),
        ("/tags", {"tag": "nope"}),
        ("/tags/remove", {"tag": "nope"}),
        ("/assignee", {"assignee": ""}),
    ]:
        response = client.post(f"/tickets/{ticket_id}{path}", data={**data, "csrf_token": token})
        assert response.status_code == 403, path
        assert "can read the desk but not change it" in response.text
    assert _state(desk, ticket_id) == before


def test_links_to_other_tickets_are_shown_both_ways(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, _ = advocate_client
    story = make_ticket(desk, "s1", channel="hackernews", title="Ask HN: GitLab CI at scale?")
    ingest(desk, mention("hackernews", "c1", text="We use GitLab runners.", parent_id="s1", root_id="s1"))
    reply = story + 1
    assert f'<a href="/tickets/{story}">#{story}</a>' in client.get(f"/tickets/{reply}").text
    story_page = client.get(f"/tickets/{story}").text
    assert f'<a href="/tickets/{reply}">#{reply}</a>' in story_page
    assert "is in thread of this ticket" in story_page


def test_a_missing_ticket_is_a_404_page(advocate_client: tuple[TestClient, str]) -> None:
    client, token = advocate_client
    response = client.get("/tickets/424242")
    assert response.status_code == 404
    assert "There is no ticket #424242." in response.text and "<html" in response.text
    response = client.post("/tickets/424242/status", data={"status": "open", "csrf_token": token})
    assert response.status_code == 404
    assert client.get("/tickets/not-a-number").status_code == 422


def test_ids_beyond_an_integer_column_name_nothing(
    advocate_client: tuple[TestClient, str], desk: Desk
) -> None:
    client, token = advocate_client
    ticket_id = make_ticket(desk)
    for huge in ("2147483648", "99999999999999999999999"):
        assert client.get(f"/tickets/{huge}").status_code == 404
        assert (
            client.post(f"/tickets/{huge}/status", data={"status": "open", "csrf_token": token}).status_code
            == 404
        )
        assert client.get("/tickets", params={"before": huge}).status_code == 200
        assert "unknown assignee" in client.get("/tickets", params={"assignee": huge}).text
        response = client.post(f"/tickets/{ticket_id}/assignee", data={"assignee": huge, "csrf_token": token})
        assert "no active user" in response.text
