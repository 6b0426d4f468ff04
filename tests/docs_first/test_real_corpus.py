"""The ticket flow on a real subset of the GitLab docs (doc/ci, ~160 pages): the right page, its owners."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from communitydesk.config import Settings
from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.urls import UrlRule
from communitydesk.runtime import Desk
from tests.conftest import People, bearer
from tests.web.helpers import make_ticket

CI_DOCS = Path(__file__).resolve().parents[3] / "shared" / "data" / "gitlab-docs" / "doc" / "ci"

pytestmark = pytest.mark.skipif(not CI_DOCS.is_dir(), reason="shared GitLab docs data missing")


@pytest.fixture
def ci_docs_indexed(settings: Settings) -> None:
    index = service.open_index(settings)
    try:
        service.index(index, [DocsTree(CI_DOCS, UrlRule("https://docs.gitlab.com/ci/"))])
    finally:
        index.close()


def test_a_real_question_gets_the_variables_page_and_its_owners(
    app_client: TestClient, people: People, desk: Desk, ci_docs_indexed: None
) -> None:
    ticket_id = make_ticket(
        desk,
        text="How do I mask a CI/CD variable so my token does not show up in the job log?",
        title="Masked variables in GitLab CI",
    )
    headers = bearer(people.advocate_token)

    body = app_client.get(f"/api/v1/tickets/{ticket_id}/docs-suggestions", headers=headers).json()

    top = body["suggestions"][:3]
    assert "https://docs.gitlab.com/ci/variables/" in [s["page_url"] for s in top]
    variables = next(s for s in top if s["page_url"] == "https://docs.gitlab.com/ci/variables/")
    assert (variables["stage"], variables["group"]) == ("Verify", "Pipeline Authoring")
    assert any(h["match"] for h in variables["highlights"])

    draft = app_client.get(f"/api/v1/tickets/{ticket_id}/docs-issue", headers=headers).json()
    assert "devops::verify" in draft["labels"] and "group::pipeline authoring" in draft["labels"]
    assert "https://docs.gitlab.com/ci/" in draft["description"]
