"""Clients logged in through the login form, one per role that matters."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import People
from tests.web.helpers import log_in


@pytest.fixture
def advocate_client(app_client: TestClient, people: People) -> tuple[TestClient, str]:
    """A client logged in as the advocate, with its CSRF token."""
    return app_client, log_in(app_client, people.advocate.email)


@pytest.fixture
def viewer_client(app_client: TestClient, people: People) -> tuple[TestClient, str]:
    """A client logged in as the viewer, with its CSRF token."""
    return app_client, log_in(app_client, people.viewer.email)
