"""Macros over the API: listed with their variables, applied in one audited change."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.api.helpers import get_ok, ticket_ids
from tests.factories import mention

REACHED_OUT = "Reached out to expert"


def test_macros_are_listed_with_the_variables_they_use(
    app_client: TestClient, viewer: dict[str, str]
) -> None:
    listed = {macro["name"]: macro for macro in get_ok(app_client, "/api/v1/macros", viewer)}

    assert {REACHED_OUT, "Expert Responded", "Expert Response"} <= set(listed)
    assert {"expert", "slack_channel", "slack_permalink"} <= set(listed[REACHED_OUT]["variables"])
    assert listed[REACHED_OUT]["description"]


def test_reached_out_to_expert_tags_opens_notes_and_audits(
    app_client: TestClient, desk: Desk, advocate: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("reddit", "r1"))
    permalink = "https://example.slack.com/archives/C1/p123"

    response = app_client.post(
        f"/api/v1/tickets/{ticket_id}/macros",
        headers=advocate,
        json={"macro": REACHED_OUT, "variables": {"expert": "@sam", "slack_permalink": permalink}},
    )

    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["status"] == "open"
    assert ticket["tags"] == ["reached-out-to-expert"]
    (note,) = ticket["notes"]
    assert permalink in note["body"] and "@sam" in note["body"]
    assert [(a["action"], a["macro"], a["actor_label"]) for a in ticket["audit"] if a["macro"]] == [
        ("macro_applied", REACHED_OUT, "Advocate"),
        ("tag_added", REACHED_OUT, "Advocate"),
        ("status", REACHED_OUT, "Advocate"),
        ("note_added", REACHED_OUT, "Advocate"),
    ]
    assert get_ok(app_client, f"/api/v1/tickets/{ticket_id}", advocate) == ticket


def test_an_unknown_macro_is_422(app_client: TestClient, desk: Desk, advocate: dict[str, str]) -> None:
    (ticket_id,) = ticket_ids(desk, mention("reddit", "r1"))

    response = app_client.post(
        f"/api/v1/tickets/{ticket_id}/macros", headers=advocate, json={"macro": "Make coffee"}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == "no macro named 'Make coffee'; GET /api/v1/macros lists them"


def test_a_macro_refused_midway_changes_nothing(
    app_client: TestClient, desk: Desk, db: Session, advocate: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    tickets.set_status(db, ticket, "closed", actor=Actor("Ada"))
    db.commit()
    url = f"/api/v1/tickets/{ticket_id}"
    before = get_ok(app_client, url, advocate)

    response = app_client.post(f"{url}/macros", headers=advocate, json={"macro": REACHED_OUT})

    assert response.status_code == 422
    assert "closed" in response.json()["detail"]
    assert get_ok(app_client, url, advocate) == before


def test_applying_to_an_unknown_ticket_is_404(app_client: TestClient, advocate: dict[str, str]) -> None:
    response = app_client.post("/api/v1/tickets/999/macros", headers=advocate, json={"macro": REACHED_OUT})

    assert response.status_code == 404


def test_a_variable_with_a_nul_byte_is_422(
    app_client: TestClient, desk: Desk, advocate: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("reddit", "r1"))

    response = app_client.post(
        f"/api/v1/tickets/{ticket_id}/macros",
        headers=advocate,
        json={"macro": REACHED_OUT, "variables": {"expert": "\x00"}},
    )

    assert response.status_code == 422
    assert get_ok(app_client, f"/api/v1/tickets/{ticket_id}", advocate)["notes"] == []
