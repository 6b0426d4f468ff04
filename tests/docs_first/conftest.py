"""Docs-first tests: a desk whose docs index holds the small docs tree, and a local GitLab for issues."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from communitydesk.config import Settings
from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.urls import UrlRule
from tests.conftest import People
from tests.docs.conftest import BASE, EXCLUDE, write_tree
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.server import httpserver_listen_address
from tests.web.helpers import log_in

__all__ = ["httpserver_listen_address"]


@pytest.fixture
def fake_gitlab(httpserver: HTTPServer) -> FakeGitLab:
    return FakeGitLab(httpserver).install()


@pytest.fixture
def settings(settings: Settings, fake_gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings plus the local GitLab (in the environment too, for CLI commands)."""
    monkeypatch.setenv("DESK_GITLAB__BASE_URL", fake_gitlab.base_url)
    monkeypatch.setenv("DESK_GITLAB__TOKEN", fake_gitlab.token)
    monkeypatch.setenv("DESK_GITLAB__PROJECT", fake_gitlab.project_path)
    return Settings()


@pytest.fixture
def docs_indexed(settings: Settings, tmp_path: Path) -> Path:
    """Index the small docs tree into the desk's docs index file; return the tree."""
    tree = write_tree(tmp_path / "docs")
    index = service.open_index(settings)
    try:
        service.index(index, [DocsTree(tree, UrlRule(BASE))], exclude=EXCLUDE)
    finally:
        index.close()
    return tree


@pytest.fixture
def advocate_client(app_client: TestClient, people: People) -> tuple[TestClient, str]:
    return app_client, log_in(app_client, people.advocate.email)


@pytest.fixture
def viewer_client(app_client: TestClient, people: People) -> tuple[TestClient, str]:
    return app_client, log_in(app_client, people.viewer.email)
