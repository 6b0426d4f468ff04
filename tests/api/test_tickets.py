"""Tickets over the API: filtered, paginated lists; one ticket with its history; audited changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from communitydesk.api.pagination import encode_cursor
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.api.helpers import get_ok, ticket_ids
from tests.conftest import People
from tests.factories import mention

ADA = Actor("Ada")


def _arrange(db: Session, ticket_id: int, *, status: str | None = None, tags: tuple[str, ...] = ()) -> None:
    ticket = db.get(Ticket, ticket_id)
    assert ticket is not None
    if status:
        tickets.set_status(db, ticket, status, actor=ADA)
    tickets.add_tags(db, ticket, tags, actor=ADA)
    db.commit()


def _ids(client: TestClient, headers: dict[str, str], **params: object) -> list[int]:
    return [item["id"] for item in get_ok(client, "/api/v1/tickets", headers, **params)["items"]]


@pytest.fixture
def four_tickets(desk: Desk, db: Session, people: People) -> list[int]:
    """A forum ticket (open, tagged ci), a reddit one (assigned), an HN one about Kubernetes, a tweet."""
    ids = ticket_ids(
        desk,
        mention("forum", "f1", "Runner cache is slow"),
        mention("reddit", "r1", "Is the registry down?"),
        mention("hackernews", "h1", "We moved our Kubernetes clusters", title="Show HN: Our move"),
        mention("twitter", "t1", "Loving the new pipeline editor"),
    )
    _arrange(db, ids[0], status="open", tags=("ci", "needs-docs"))
    _arrange(db, ids[3], tags=("ci",))
    ticket = db.get(Ticket, ids[1])
    assert ticket is not None
    tickets.set_assignee(db, ticket, people.advocate.id, actor=ADA)
    db.commit()
    return ids


def test_the_list_is_newest_first_with_tags(
    app_client: TestClient, four_tickets: list[int], viewer: dict[str, str]
) -> None:
    page = get_ok(app_client, "/api/v1/tickets", viewer)

    assert [item["id"] for item in page["items"]] == sorted(four_tickets, reverse=True)
    assert page["next_cursor"] is None
    first = next(item for item in page["items"] if item["id"] == four_tickets[0])
    assert (first["status"], first["channel"], first["tags"]) == ("open", "forum", ["ci", "needs-docs"])


def test_each_filter_narrows_the_list(
    app_client: TestClient, four_tickets: list[int], people: People, viewer: dict[str, str]
) -> None:
    forum, reddit, hackernews, twitter = four_tickets

    assert _ids(app_client, viewer, status="open") == [forum]
    assert _ids(app_client, viewer, status="new") == [twitter, hackernews, reddit]
    assert _ids(app_client, viewer, channel="reddit") == [reddit]
    assert _ids(app_client, viewer, tag="ci") == [twitter, forum]
    assert _ids(app_client, viewer, tag="CI") == [twitter, forum]
    assert _ids(app_client, viewer, assignee_id=people.advocate.id) == [reddit]
    assert _ids(app_client, viewer, q="registry") == [reddit]
    assert _ids(app_client, viewer, q="kubernetes") == [hackernews]  # found in the mention, not the subject
    assert _ids(app_client, viewer, tag="ci", channel="forum") == [forum]
    assert _ids(app_client, viewer, status="solved") == []


@pytest.mark.parametrize(
    "params,message",
    [
        ({"status": "sleeping"}, "status"),
        ({"channel": "myspace"}, "channel"),
        ({"tag": "no tags with spaces!"}, "invalid tag"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
    ],
)
def test_bad_filters_are_422(
    app_client: TestClient, viewer: dict[str, str], params: dict[str, object], message: str
) -> None:
    response = app_client.get("/api/v1/tickets", headers=viewer, params=params)

    assert response.status_code == 422
    assert message in response.text


def test_cursor_pagination_walks_every_ticket_exactly_once(
    app_client: TestClient, desk: Desk, viewer: dict[str, str]
) -> None:
    ids = ticket_ids(desk, *(mention("forum", f"f{n}") for n in range(5)))
    seen: list[int] = []
    sizes: list[int] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = get_ok(app_client, "/api/v1/tickets", viewer, **params)
        seen += [item["id"] for item in page["items"]]
        sizes.append(len(page["items"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sizes == [2, 2, 1]
    assert seen == sorted(ids, reverse=True)


def test_a_full_last_page_has_no_next_cursor(
    app_client: TestClient, desk: Desk, viewer: dict[str, str]
) -> None:
    ticket_ids(desk, *(mention("forum", f"f{n}") for n in range(4)))

    first = get_ok(app_client, "/api/v1/tickets", viewer, limit=2)
    second = get_ok(app_client, "/api/v1/tickets", viewer, limit=2, cursor=first["next_cursor"])

    assert len(second["items"]) == 2
    assert second["next_cursor"] is None


def test_a_bad_cursor_is_422_with_a_clear_message(app_client: TestClient, viewer: dict[str, str]) -> None:
    # Not base64, not "id:<n>", id 0, a bare number, padding we never send, junk, an id out of range.
    too_big = encode_cursor(2**31)
    for cursor in ["not-a-cursor", "aWQ6YWJj", "aWQ6MA", "MTIz", "aWQ6Mw==", "!!!", too_big]:
        response = app_client.get("/api/v1/tickets", headers=viewer, params={"cursor": cursor})

        assert response.status_code == 422, cursor
        assert response.json()["detail"].startswith(f"invalid cursor {cursor!r}"), cursor


@contextmanager
def _statements(desk: Desk) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(desk.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(desk.engine, "before_cursor_execute", count)


def test_a_longer_page_needs_no_more_queries(
    app_client: TestClient, desk: Desk, db: Session, viewer: dict[str, str]
) -> None:
    for ticket_id in ticket_ids(desk, *(mention("forum", f"f{n}") for n in range(8))):
        _arrange(db, ticket_id, tags=("ci", f"t{ticket_id}"))

    with _statements(desk) as short:
        assert len(get_ok(app_client, "/api/v1/tickets", viewer, limit=2)["items"]) == 2
    with _statements(desk) as long:
        assert len(get_ok(app_client, "/api/v1/tickets", viewer, limit=8)["items"]) == 8

    assert len(long) == len(short)


def test_one_ticket_comes_with_mentions_notes_links_and_audit(
    app_client: TestClient, desk: Desk, db: Session, viewer: dict[str, str]
) -> None:
    story, reply = ticket_ids(
        desk,
        mention("hackernews", "100", "Launch story", title="GitLab 20 released"),
        mention("hackernews", "101", "Does it fix the <b>runner</b> bug?", parent_id="100", root_id="100"),
    )
    ticket = db.get(Ticket, reply)
    assert ticket is not None
    tickets.add_note(db, ticket, "Asked the runner team", actor=ADA)
    db.commit()

    detail = get_ok(app_client, f"/api/v1/tickets/{reply}", viewer)
    thread = get_ok(app_client, f"/api/v1/tickets/{story}", viewer)

    assert detail["id"] == reply and detail["channel"] == "hackernews"
    assert [m["external_id"] for m in detail["mentions"]] == ["101"]
    assert detail["mentions"][0]["text"] == "Does it fix the **runner** bug?"
    assert [n["body"] for n in detail["notes"]] == ["Asked the runner team"]
    link = {"ticket_id": reply, "kind": "in_thread_of", "target_ticket_id": story, "target_url": None}
    assert detail["links"] == [link]
    assert thread["links"] == [link]  # the thread's ticket sees the link too, and which end it is
    assert [a["action"] for a in detail["audit"]] == ["created", "link_added", "note_added"]


def test_ids_beyond_the_database_integer_range_are_simply_not_found(
    app_client: TestClient, viewer: dict[str, str]
) -> None:
    # PostgreSQL refuses to compare an INTEGER column with a larger number; that must not be a 500.
    assert app_client.get(f"/api/v1/tickets/{2**31}", headers=viewer).status_code == 404
    assert app_client.get(f"/api/v1/tickets/{2**70}", headers=viewer).status_code == 404
    assert app_client.get("/api/v1/tickets", headers=viewer, params={"assignee_id": 2**31}).status_code == 422
    assert app_client.get("/api/v1/tickets", headers=viewer, params={"q": "a\x00b"}).status_code == 422


def test_an_unknown_ticket_is_404(
    app_client: TestClient, viewer: dict[str, str], advocate: dict[str, str]
) -> None:
    assert app_client.get("/api/v1/tickets/999", headers=viewer).json() == {
        "detail": "ticket #999 does not exist"
    }
    assert app_client.get("/api/v1/tickets/999", headers=viewer).status_code == 404
    assert app_client.patch("/api/v1/tickets/999", headers=advocate, json={}).status_code == 404


def test_patch_changes_a_ticket_and_audits_every_change(
    app_client: TestClient, desk: Desk, people: People, advocate: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("reddit", "r1"))
    url = f"/api/v1/tickets/{ticket_id}"

    response = app_client.patch(
        url,
        headers=advocate,
        json={
            "status": "pending",
            "assignee_id": people.advocate.id,
            "stage": "verify",
            "category": "ci",
            "add_tags": ["Needs Docs", "ci"],
            "note": "Waiting for the reporter's logs",
        },
    )

    assert response.status_code == 200, response.text
    ticket = response.json()
    assert ticket["status"] == "pending"
    assert ticket["assignee_id"] == people.advocate.id
    assert (ticket["stage"], ticket["category"], ticket["intent"]) == ("verify", "ci", None)
    assert ticket["tags"] == ["ci", "needs-docs"]
    assert [note["body"] for note in ticket["notes"]] == ["Waiting for the reporter's logs"]
    changes = [
        (a["action"], a["field"], a["old_value"], a["new_value"], a["actor_label"]) for a in ticket["audit"]
    ]
    assert changes[1:] == [
        ("status", "status", "new", "pending", "Advocate"),
        ("assignee", "assignee", None, str(people.advocate.id), "Advocate"),
        ("field", "stage", None, "verify", "Advocate"),
        ("field", "category", None, "ci", "Advocate"),
        ("tag_added", "tags", None, "needs-docs", "Advocate"),
        ("tag_added", "tags", None, "ci", "Advocate"),
        ("note_added", None, None, "Waiting for the reporter's logs", "Advocate"),
    ]
    assert get_ok(app_client, url, advocate) == ticket

    second = app_client.patch(
        url, headers=advocate, json={"assignee_id": 0, "stage": None, "remove_tags": ["ci"]}
    ).json()

    assert (second["assignee_id"], second["stage"], second["category"]) == (None, None, "ci")
    assert second["tags"] == ["needs-docs"]
    assert [a["action"] for a in second["audit"][len(changes) :]] == ["assignee", "field", "tag_removed"]


def test_an_empty_patch_changes_nothing(app_client: TestClient, desk: Desk, advocate: dict[str, str]) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))
    before = get_ok(app_client, f"/api/v1/tickets/{ticket_id}", advocate)

    response = app_client.patch(f"/api/v1/tickets/{ticket_id}", headers=advocate, json={})

    assert response.status_code == 200
    assert response.json() == before


def test_a_closed_ticket_refuses_a_status_change_and_the_whole_patch(
    app_client: TestClient, desk: Desk, db: Session, advocate: dict[str, str]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))
    _arrange(db, ticket_id, status="closed")
    url = f"/api/v1/tickets/{ticket_id}"
    before = get_ok(app_client, url, advocate)

    response = app_client.patch(url, headers=advocate, json={"add_tags": ["reopen"], "status": "open"})

    assert response.status_code == 422
    assert response.json()["detail"] == f"ticket #{ticket_id} is closed and cannot change status"
    assert get_ok(app_client, url, advocate) == before


@pytest.mark.parametrize(
    "change,message",
    [
        ({"assignee_id": 999}, "no active user #999"),
        ({"add_tags": ["fine", "not fine!"]}, "invalid tag 'not fine!'"),
        ({"add_tags": ["ci"], "remove_tags": ["CI"]}, "cannot be both added and removed"),
        ({"note": "   "}, "a note cannot be empty"),
        ({"intent": "x" * 51}, "intent is 51 characters long; the limit is 50"),
        ({"note": "nul \x00 byte"}, "note contains a NUL character"),
        ({"stage": "nul \x00 byte"}, "stage contains a NUL character"),
        ({"assignee_id": 2**31}, "no active user #2147483648"),
    ],
)
def test_a_refused_patch_is_422_and_changes_nothing(
    app_client: TestClient, desk: Desk, advocate: dict[str, str], change: dict[str, object], message: str
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))
    url = f"/api/v1/tickets/{ticket_id}"
    before = get_ok(app_client, url, advocate)

    response = app_client.patch(url, headers=advocate, json={"status": "open", "stage": "verify"} | change)

    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert get_ok(app_client, url, advocate) == before


@pytest.mark.parametrize("change", [{"status": "sleeping"}, {"colour": "red"}, {"add_tags": "ci"}])
def test_a_malformed_patch_is_422(
    app_client: TestClient, desk: Desk, advocate: dict[str, str], change: dict[str, object]
) -> None:
    (ticket_id,) = ticket_ids(desk, mention("forum", "f1"))

    response = app_client.patch(f"/api/v1/tickets/{ticket_id}", headers=advocate, json=change)

    assert response.status_code == 422


def test_tags_are_listed_with_their_counts(
    app_client: TestClient, four_tickets: list[int], viewer: dict[str, str]
) -> None:
    assert get_ok(app_client, "/api/v1/tags", viewer) == [
        {"name": "ci", "count": 2},
        {"name": "needs-docs", "count": 1},
    ]
