"""The ticket queue: newest first, filters as plain query parameters, htmx results, keyset paging."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.schemas import Actor
from communitydesk.web.pages import queue
from tests.conftest import People
from tests.factories import ingest, mention

_ROW_ID = re.compile(r'<td class="col-id"><a href="/tickets/(\d+)">')


def shown(html: str) -> list[int]:
    return [int(found) for found in _ROW_ID.findall(html)]


@pytest.fixture
def three_tickets(desk: Desk, people: People) -> list[int]:
    """A Reddit, an X and a forum ticket (ids 1, 2, 3), tagged and assigned differently."""
    ingest(
        desk,
        mention("reddit", "r1", text="Pipelines are slow", author_handle="rita"),
        mention("twitter", "x1", text="Love the new GitLab runner"),
        mention("forum", "f1", text="How to cache node_modules?"),
    )
    actor = Actor("Admin", people.admin.id)
    with desk.sessions() as session, session.begin():
        first, second, third = (tickets.get(session, n) for n in (1, 2, 3))
        assert first and second and third
        tickets.add_tags(session, first, ["ci"], actor=actor)
        tickets.add_tags(session, third, ["ci", "cache"], actor=actor)
        tickets.set_status(session, second, "open", actor=actor)
        tickets.set_assignee(session, third, people.advocate.id, actor=actor)
    return [1, 2, 3]


def test_the_queue_lists_tickets_newest_first(
    advocate_client: tuple[TestClient, str], three_tickets: list[int]
) -> None:
    client, _ = advocate_client
    page = client.get("/").text
    assert shown(page) == [3, 2, 1]
    assert "3 tickets" in page
    for text in ("Pipelines are slow", "Reddit", "X / Twitter", "rita", "2026-10-01", "Advocate"):
        assert text in page
    assert shown(client.get("/tickets").text) == [3, 2, 1]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "open"}, [2]),
        ({"status": "new"}, [3, 1]),
        ({"channel": "reddit"}, [1]),
        ({"tag": "ci"}, [3, 1]),
        ({"tag": "CACHE"}, [3]),
        ({"assignee": "me"}, [3]),
        ({"q": "runner"}, [2]),
        ({"q": "CACHE NODE_modules"}, [3]),
        ({"q": "nothing like this"}, []),
        ({"tag": "ci", "channel": "forum"}, [3]),
        ({"status": "", "channel": "", "tag": "", "assignee": "", "q": ""}, [3, 2, 1]),
    ],
)
def test_filters_work_as_plain_query_parameters(
    advocate_client: tuple[TestClient, str],
    three_tickets: list[int],
    params: dict[str, str],
    expected: list[int],
) -> None:
    client, _ = advocate_client
    response = client.get("/tickets", params=params)
    assert response.status_code == 200
    assert shown(response.text) == expected


def test_filters_by_assignee_id(
    advocate_client: tuple[TestClient, str], three_tickets: list[int], people: People
) -> None:
    client, _ = advocate_client
    assert shown(client.get("/tickets", params={"assignee": people.advocate.id}).text) == [3]
    assert shown(client.get("/tickets", params={"assignee": people.admin.id}).text) == []


@pytest.mark.parametrize("params", [{"tag": "no/slash"}, {"assignee": "somebody"}])
def test_malformed_filters_give_a_message(
    advocate_client: tuple[TestClient, str], three_tickets: list[int], params: dict[str, str]
) -> None:
    client, _ = advocate_client
    response = client.get("/tickets", params=params)
    assert response.status_code == 200
    assert 'class="alert alert-error"' in response.text
    assert shown(response.text) == []


def test_htmx_filtering_returns_only_the_results(
    advocate_client: tuple[TestClient, str], three_tickets: list[int]
) -> None:
    client, _ = advocate_client
    response = client.get(
        "/tickets", params={"tag": "ci"}, headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "<form" not in response.text
    assert shown(response.text) == [3, 1]
    assert "HX-Target" in response.headers["vary"]


def test_older_pages_follow_the_last_id(
    advocate_client: tuple[TestClient, str], three_tickets: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = advocate_client
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    first = client.get("/tickets", params={"tag": "ci"}).text
    assert shown(first) == [3, 1]
    first = client.get("/tickets").text
    assert shown(first) == [3, 2]
    assert '<a href="/tickets?before=2">Older &rarr;</a>' in first
    second = client.get("/tickets?before=2").text
    assert shown(second) == [1]
    assert "Older" not in second and '<a href="/tickets">&larr; Newest</a>' in second


def test_a_viewer_sees_the_queue(viewer_client: tuple[TestClient, str], three_tickets: list[int]) -> None:
    client, _ = viewer_client
    assert shown(client.get("/tickets").text) == [3, 2, 1]
