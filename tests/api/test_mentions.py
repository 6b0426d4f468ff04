"""Mentions over the API: posted through the intake seam, idempotent, a bad item named and kept."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from communitydesk.api.mentions import MAX_MENTIONS
from tests.api.helpers import get_ok
from tests.factories import mention


def hn(
    external_id: str, text: str = "How do I cache GitLab CI dependencies?", **extra: Any
) -> dict[str, Any]:
    return {
        "source": "hackernews",
        "channel": "hackernews",
        "external_id": external_id,
        "url": f"https://news.ycombinator.com/item?id={external_id}",
        "author_handle": "pg",
        "text": text,
        "created_at": "2026-10-01T12:00:00Z",
        "parent_id": None,
        "root_id": "100",
        "title": "Ask HN: CI caching",
    } | extra


def _post(client: TestClient, headers: dict[str, str], payload: Any) -> dict[str, Any]:
    response = client.post("/api/v1/mentions", headers=headers, json=payload)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_one_mention_becomes_a_ticket(app_client: TestClient, advocate: dict[str, str]) -> None:
    report = _post(app_client, advocate, hn("123"))

    assert report == {"received": 1, "new": 1, "duplicate": 0, "rejected": 0, "errors": []}
    (stored,) = get_ok(app_client, "/api/v1/mentions", advocate)["items"]
    assert (stored["external_id"], stored["root_external_id"]) == ("123", "100")
    ticket = get_ok(app_client, f"/api/v1/tickets/{stored['ticket_id']}", advocate)
    assert ticket["subject"] == "Ask HN: CI caching"


def test_posting_the_same_batch_twice_adds_nothing_the_second_time(
    app_client: TestClient, advocate: dict[str, str]
) -> None:
    batch = [hn("1"), hn("2"), mention("twitter", "t1"), mention("reddit", "r1")]

    first = _post(app_client, advocate, batch)
    second = _post(app_client, advocate, batch)

    assert (first["new"], first["duplicate"]) == (4, 0)
    assert (second["received"], second["new"], second["duplicate"]) == (4, 0, 4)
    assert len(get_ok(app_client, "/api/v1/mentions", advocate)["items"]) == 4
    assert len(get_ok(app_client, "/api/v1/tickets", advocate)["items"]) == 4


def test_broken_items_are_named_by_index_and_kept_while_the_others_go_in(
    app_client: TestClient, admin: dict[str, str]
) -> None:
    missing_time = hn("2")
    del missing_time["created_at"]
    naive_time = hn("3", created_at="2026-10-01T12:00:00")

    report = _post(app_client, admin, [hn("1"), missing_time, naive_time, 42, hn("4")])

    assert (report["received"], report["new"], report["rejected"]) == (5, 2, 3)
    assert report["errors"] == [
        "request[1]: created_at: Field required",
        "request[2]: created_at: Input should have timezone info",
        "request[3]: expected a JSON object, got int",
    ]
    stored = get_ok(app_client, "/api/v1/mentions", admin)["items"]
    assert sorted(item["external_id"] for item in stored) == ["1", "4"]
    rejects = get_ok(app_client, "/api/v1/mentions/rejects", admin, source="api")["items"]
    assert [(r["location"], r["source"]) for r in rejects] == [
        ("request[3]", "api"),
        ("request[2]", "api"),
        ("request[1]", "api"),
    ]
    assert "timezone" in rejects[1]["reason"]
    assert '"external_id": "3"' in rejects[1]["payload"]


def test_a_single_broken_object_is_reported_as_the_request(
    app_client: TestClient, advocate: dict[str, str]
) -> None:
    report = _post(app_client, advocate, hn("1", channel="myspace"))

    assert report["rejected"] == 1
    assert report["errors"][0].startswith("request: channel: Input should be")


def test_hostile_html_is_stored_sanitized(app_client: TestClient, advocate: dict[str, str]) -> None:
    text = '<p>Is <b>GitLab</b> down?</p><script>alert("pwned")</script><img src=x onerror="alert(1)">'

    _post(app_client, advocate, hn("1", text=text))

    (stored,) = get_ok(app_client, "/api/v1/mentions", advocate)["items"]
    assert stored["text"] == "Is **GitLab** down?"
    assert stored["names_company"] is True
    ticket = get_ok(app_client, f"/api/v1/tickets/{stored['ticket_id']}", advocate)
    assert "<script" not in str(ticket) and "alert" not in str(ticket)


def test_a_body_that_is_not_an_object_or_a_short_list_is_422_and_stores_nothing(
    app_client: TestClient, advocate: dict[str, str]
) -> None:
    too_many = [hn(str(n)) for n in range(MAX_MENTIONS + 1)]

    for payload in ("just text", 42, too_many):
        response = app_client.post("/api/v1/mentions", headers=advocate, json=payload)
        assert response.status_code == 422, payload
    assert get_ok(app_client, "/api/v1/mentions", advocate)["items"] == []
    assert get_ok(app_client, "/api/v1/mentions/rejects", advocate)["items"] == []


def test_mentions_are_paged_and_filtered_by_source(
    app_client: TestClient, viewer: dict[str, str], advocate: dict[str, str]
) -> None:
    _post(app_client, advocate, [hn(str(n)) for n in range(3)] + [mention("reddit", "r1")])

    first = get_ok(app_client, "/api/v1/mentions", viewer, source="hackernews", limit=2)
    second = get_ok(
        app_client, "/api/v1/mentions", viewer, source="hackernews", limit=2, cursor=first["next_cursor"]
    )

    assert [item["external_id"] for item in first["items"] + second["items"]] == ["2", "1", "0"]
    assert second["next_cursor"] is None
    assert [
        m["source"] for m in get_ok(app_client, "/api/v1/mentions", viewer, source="reddit")["items"]
    ] == ["reddit"]
