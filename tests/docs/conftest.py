"""A small docs tree written by the tests: front matter, a redirect stub, _index.md pages, headings, code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule

BASE = "https://docs.example.com/"
EXCLUDE = ("AGENTS.md",)


def page(front: dict[str, Any] | None, body: str) -> str:
    """Return a Markdown page with YAML front matter (written with safe_dump: hand-quoting breaks titles)."""
    if front is None:
        return body
    return f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\n{body}"


PAGES = {
    "_index.md": page({"title": "Acme Docs", "stage": "none", "group": "unassigned"}, "Learn to use Acme.\n"),
    "ci/_index.md": page(
        {
            "title": "CI/CD",
            "stage": "Verify",
            "group": "Pipeline Authoring",
            "description": "Build and test.",
        },
        "Pipelines build, test and deploy your code.\n",
    ),
    "ci/variables.md": page(
        {
            "stage": "Verify",
            "group": "Pipeline Authoring",
            "title": "CI/CD variables",
            "description": "Configuration, usage, and security.",
        },
        """{{< details >}}

- Tier: Free, Premium

{{< /details >}}

CI/CD variables are a type of environment variable. See [the runner](../runners/register.md).

## Define a CI/CD variable in the UI

Go to **Settings > CI/CD** and expand **Variables**.

### Protect a CI/CD variable

A protected variable is passed only to pipelines that run on protected branches or protected tags.

```shell
# Not a heading: a comment in a code block
echo "$SECRET_TOKEN"
```

## Troubleshooting

### Error: `variable not found`

The job log shows `ERROR: variable not found` when the variable is protected and the branch is not.

## Troubleshooting

Duplicate headings get numbered anchors.
""",
    ),
    "ci/old_variables.md": page(
        {"redirect_to": "variables.md", "remove_date": "2026-04-23"},
        "This document was moved to [another location](variables.md).\n",
    ),
    "runners/register.md": page(
        {
            "stage": "None - Facilitated functionality, see https://handbook.example.com/#facilitated",
            "group": "Runner Core",
            "title": "Register a runner",
        },
        """Register a runner with a runner authentication token.

## Register with a configuration template

Use `gitlab-runner register --template-config` to apply a TOML template.
Kubernetes executors need a namespace.
""",
    ),
    "AGENTS.md": "# Instructions for coding agents\n\nNot a docs page.\n",
}


def write_tree(root: Path, pages: dict[str, str] = PAGES) -> Path:
    for relative, text in pages.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def docs_tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "docs")


@pytest.fixture
def docs_index(tmp_path: Path) -> Iterator[SqliteDocsIndex]:
    index = SqliteDocsIndex(tmp_path / "docs_index.sqlite")
    yield index
    index.close()


@pytest.fixture
def indexed(docs_index: SqliteDocsIndex, docs_tree: Path) -> SqliteDocsIndex:
    service.index(docs_index, [DocsTree(docs_tree, UrlRule(BASE))], exclude=EXCLUDE)
    return docs_index
