"""A routing desk: the demo directory, the example people and routes, and a small docs tree (2026 names)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.runtime import Desk

REPO = Path(__file__).parents[2]
DEMO = REPO / "src" / "communitydesk" / "demo"


def _page(stage: str, group: str, title: str, body: str) -> str:
    front = yaml.safe_dump({"stage": stage, "group": group, "title": title}, sort_keys=False)
    return f"---\n{front}---\n\n{body}\n"


DOCS = {
    "ci/variables.md": _page(
        "Verify",
        "Pipeline Execution",
        "CI/CD variables",
        "CI/CD variables are passed to jobs in a pipeline. Protected variables are passed only to pipelines "
        "on protected branches.\n\n## Masked variables\n\nA masked variable is hidden in job logs.",
    ),
    "runner/register.md": _page(
        "Verify",
        "Runner Core",
        "Registering runners",
        "Register a runner with a runner authentication token. The runner executes CI jobs with an executor "
        "such as docker or shell.\n\n## Runner tags\n\nTags select which runner picks up a job.",
    ),
    "user/profile/personal_access_tokens.md": _page(
        "Software Supply Chain Security",
        "Authentication",
        "Personal access tokens",
        "Personal access tokens authenticate with the API. Set an expiry date; an expired token stops "
        "working.\n\n## Two-factor authentication\n\nTokens work with two-factor authentication.",
    ),
    "user/packages/container_registry.md": _page(
        "Package",
        "Container Registry",
        "Container registry",
        "Push Docker images to the container registry. Cleanup policies delete old image tags.",
    ),
    "user/project/merge_requests/approvals.md": _page(
        "Create",
        "Code Review",
        "Merge request approvals",
        "Approval rules set how many people must approve a merge request before it can merge.",
    ),
}


@pytest.fixture
def routing_desk(desk: Desk, cli: CliRunner, tmp_path: Path) -> Desk:
    """The demo directory and example people/routes imported, and the small docs tree indexed."""
    tree = tmp_path / "docs"
    for path, text in DOCS.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text, encoding="utf-8")
    indexed = cli.invoke(app, ["docs", "index", str(tree), "--url-base", "https://docs.example.com/"])
    assert indexed.exit_code == 0, indexed.output
    imported = cli.invoke(
        app,
        [
            "experts",
            "import",
            "--taxonomy",
            str(DEMO / "taxonomy"),
            "--people",
            str(DEMO / "experts" / "people.yml"),
            "--routes",
            str(DEMO / "experts" / "routes.yml"),
        ],
    )
    assert imported.exit_code == 0, imported.output
    return desk
