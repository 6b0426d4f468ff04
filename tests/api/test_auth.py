"""Who may call the API: a token for everything, an admin or advocate for every write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from communitydesk.runtime import Desk
from communitydesk.users.models import User
from tests.api.helpers import get_ok, ticket_ids
from tests.conftest import People, bearer
from tests.factories import mention

API_PATHS = [
    "/api/v1/tickets",
    "/api/v1/tickets/{ticket_id}",
    "/api/v1/tickets/{ticket_id}/macros",
    "/api/v1/macros",
    "/api/v1/mentions",
    "/api/v1/mentions/rejects",
    "/api/v1/tags",
    "/api/v1/me",
]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer desk_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="},
    ],
    ids=["no header", "unknown token", "empty token", "basic auth"],
)
@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/me", "/api/v1/tags"])
def test_requests_without_a_valid_token_get_401(
    app_client: TestClient, headers: dict[str, str], path: str
) -> None:
    response = app_client.get(path, headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_write_without_a_token_gets_401_before_anything_else(app_client: TestClient, desk: Desk) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))

    response = app_client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "open"})

    assert response.status_code == 401


def test_a_deactivated_users_token_stops_working(app_client: TestClient, people: People, db: Session) -> None:
    user = db.get(User, people.advocate.id)
    assert user is not None
    user.is_active = False
    db.commit()

    assert app_client.get("/api/v1/me", headers=bearer(people.advocate_token)).status_code == 401


@pytest.mark.parametrize("role", ["admin", "advocate", "viewer"])
def test_me_names_the_tokens_user(app_client: TestClient, people: People, role: str) -> None:
    token = getattr(people, f"{role}_token")

    me = get_ok(app_client, "/api/v1/me", bearer(token))

    assert me["email"] == f"{role}@example.com"
    assert me["role"] == role
    assert me["can_edit"] is (role != "viewer")


def test_viewers_read_everything_but_every_write_is_403_and_changes_nothing(
    app_client: TestClient, desk: Desk, viewer: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("reddit", "r1"))
    url = f"/api/v1/tickets/{ticket_id}"
    before = get_ok(app_client, url, viewer)
    mentions_before = get_ok(app_client, "/api/v1/mentions", viewer)
    assert get_ok(app_client, "/api/v1/tickets", viewer)["items"]
    assert get_ok(app_client, "/api/v1/macros", viewer)
    get_ok(app_client, "/api/v1/tags", viewer)

    writes = [
        app_client.patch(url, headers=viewer, json={"status": "open", "add_tags": ["x"], "note": "hi"}),
        app_client.post(
            f"{url}/macros",
            headers=viewer,
            json={"macro": "Reached out to expert", "variables": {"slack_permalink": "https://s.example/1"}},
        ),
        app_client.post("/api/v1/mentions", headers=viewer, json=mention("forum", "new-one")),
        app_client.post("/api/v1/mentions", headers=viewer, json={"not": "a mention"}),
    ]

    assert [response.status_code for response in writes] == [403, 403, 403, 403]
    assert "viewer" in writes[0].json()["detail"]
    assert get_ok(app_client, url, viewer) == before
    assert get_ok(app_client, "/api/v1/mentions", viewer) == mentions_before
    assert get_ok(app_client, "/api/v1/tags", viewer) == []


def test_intake_rejects_are_for_admins_and_advocates(
    app_client: TestClient, admin: dict[str, str], advocate: dict[str, str], viewer: dict[str, str]
) -> None:
    assert app_client.get("/api/v1/mentions/rejects", headers=viewer).status_code == 403
    assert get_ok(app_client, "/api/v1/mentions/rejects", advocate) == {"items": [], "next_cursor": None}
    assert get_ok(app_client, "/api/v1/mentions/rejects", admin) == {"items": [], "next_cursor": None}


def test_openapi_lists_every_route_with_the_bearer_scheme(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert set(API_PATHS) <= set(spec["paths"])
    scheme = spec["components"]["securitySchemes"]["DeskToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path in API_PATHS:
        for operation in spec["paths"][path].values():
            assert operation["security"] == [{"DeskToken": []}], path
