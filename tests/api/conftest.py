"""Fixtures for REST API tests: request headers per role."""

from __future__ import annotations

import pytest

from tests.conftest import People, bearer


@pytest.fixture
def admin(people: People) -> dict[str, str]:
    return bearer(people.admin_token)


@pytest.fixture
def advocate(people: People) -> dict[str, str]:
    return bearer(people.advocate_token)


@pytest.fixture
def viewer(people: People) -> dict[str, str]:
    return bearer(people.viewer_token)
