"""Routing over HTTP: the API endpoints and the ticket page's "Who to ask" card."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from tests.conftest import People, bearer
from tests.factories import ingest, mention
from tests.web.helpers import log_in

FIELDS = {"stage", "group", "category", "channel", "experts", "confidence", "reasons"}
DANA_POST = "https://about.example.com/blog/2026/10/01/faster-code-review/"
GUEST_POST = "https://about.example.com/blog/2026/10/12/guest-post-runners/"


def _ticket(desk: Desk, channel: str, external_id: str, text: str, url: str) -> int:
    ingest(desk, mention(channel, external_id, text, url=url))
    with desk.sessions() as session:
        ticket_id = session.scalar(select(Mention.ticket_id).where(Mention.external_id == external_id))
    assert ticket_id is not None
    return ticket_id


def test_route_text_and_ticket_through_the_api(
    routing_desk: Desk, app_client: TestClient, people: People
) -> None:
    viewer = bearer(people.viewer_token)  # reading a suggestion changes nothing: any role may
    text = app_client.post(
        "/api/v1/routing",
        headers=viewer,
        json={"text": "Container registry cleanup policy keeps old docker image tags"},
    )
    assert text.status_code == 200, text.text
    body = text.json()
    assert set(body) >= FIELDS
    assert (body["stage"], body["group"], body["channel"]) == (
        "package",
        "container_registry",
        "#g_container-registry",
    )
    assert body["stages"][0]["key"] == "package" and body["fallback"] is False

    blog = _ticket(
        routing_desk,
        "blog_comment",
        "b1",
        "Will approval rules support code owners?",
        f"{DANA_POST}#comment-1",
    )
    routed = app_client.get(f"/api/v1/tickets/{blog}/routing", headers=viewer)
    assert routed.status_code == 200, routed.text
    assert routed.json()["experts"][0]["name"] == "Dana Whitfield"
    assert routed.json()["experts"][0]["why"] == "the blog post's author"

    guest = _ticket(routing_desk, "blog_comment", "b2", "Great post on runners!", f"{GUEST_POST}#comment-2")
    reasons = app_client.get(f"/api/v1/tickets/{guest}/routing", headers=viewer).json()["reasons"]
    assert any("Robin Vale is not a team member" in reason for reason in reasons)

    assert app_client.get("/api/v1/tickets/999/routing", headers=viewer).status_code == 404
    assert app_client.post("/api/v1/routing", headers=viewer, json={"text": ""}).status_code == 422
    assert app_client.post("/api/v1/routing", json={"text": "x"}).status_code == 401


def test_routing_needs_a_directory(desk: Desk, app_client: TestClient, people: People) -> None:
    response = app_client.post(
        "/api/v1/routing", headers=bearer(people.viewer_token), json={"text": "runner"}
    )
    assert response.status_code == 409


def test_ticket_page_loads_the_who_to_ask_card(
    routing_desk: Desk, app_client: TestClient, people: People
) -> None:
    log_in(app_client, people.viewer.email)
    ticket_id = _ticket(
        routing_desk,
        "reddit",
        "r1",
        "<script>alert(1)</script> Our runner does not pick up jobs with tags after registering it",
        "https://reddit.example/r1",
    )

    page = app_client.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200
    assert f'hx-get="/tickets/{ticket_id}/routing"' in page.text
    card = app_client.get(f"/tickets/{ticket_id}/routing")
    assert card.status_code == 200
    assert "Who to ask" in card.text and "#g_runner" in card.text
    assert "Elif Demir" in card.text and "Registering runners" in card.text
    assert "<script>" not in card.text
    assert app_client.get("/tickets/999/routing").status_code == 404
