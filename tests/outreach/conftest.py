"""Fixtures for outreach tests: the desk talks to a local Slack workspace."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from communitydesk.config import Settings
from communitydesk.runtime import Desk
from tests.api.helpers import ticket_ids
from tests.conftest import People, bearer
from tests.factories import mention
from tests.fakes.server import httpserver_listen_address
from tests.fakes.slack import FakeSlack, settings_for
from tests.routing.conftest import routing_desk  # noqa: F401 - shared with the routing tests

__all__ = ["httpserver_listen_address"]


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    return FakeSlack(httpserver).install()


@pytest.fixture
def settings(settings: Settings, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The common test settings, pointed at the fake Slack (also for CLI commands, through the env)."""
    return settings_for(slack, monkeypatch)


@pytest.fixture
def advocate(people: People) -> dict[str, str]:
    return bearer(people.advocate_token)


@pytest.fixture
def hn_ticket(desk: Desk) -> int:
    [ticket_id] = ticket_ids(
        desk,
        mention(
            "hackernews",
            "41000001",
            "Why does the GitLab runner ignore my cache key on ARM?",
            url="https://news.ycombinator.com/item?id=41000001",
        ),
    )
    return ticket_id


def ask(
    client: TestClient, ticket_id: int, headers: dict[str, str], expected: int = 201, **body: Any
) -> dict[str, Any]:
    """POST an outreach and check the status code; return the JSON answer."""
    response = client.post(f"/api/v1/tickets/{ticket_id}/outreach", json=body, headers=headers)
    assert response.status_code == expected, response.text
    answer: dict[str, Any] = response.json()
    return answer
