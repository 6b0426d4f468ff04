"""Indexing docs trees: URLs, sections and anchors, redirects, owners, and re-indexing only what changed."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.markdown import heading_anchor, normalise_owner, parse_page
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule, UrlStyle
from tests.docs.conftest import BASE, EXCLUDE, write_tree


def _by_path(index: SqliteDocsIndex) -> dict[str, str]:
    return {page.path: page.url for page in index.pages()}


def test_pages_get_their_public_urls(indexed: SqliteDocsIndex) -> None:
    assert _by_path(indexed) == {
        "_index.md": "https://docs.example.com/",
        "ci/_index.md": "https://docs.example.com/ci/",
        "ci/variables.md": "https://docs.example.com/ci/variables/",
        "runners/register.md": "https://docs.example.com/runners/register/",
    }


def test_other_url_styles() -> None:
    assert (
        UrlRule("https://x.org/docs", UrlStyle.HTML).page_url("a/_index.md")
        == "https://x.org/docs/a/index.html"
    )
    assert UrlRule("https://x.org/docs", UrlStyle.HTML).page_url("a/b.md") == "https://x.org/docs/a/b.html"
    assert UrlRule("/", UrlStyle.MARKDOWN).page_url("a/b.md") == "/a/b.md"


def test_redirect_stubs_and_excluded_files_are_not_indexed(indexed: SqliteDocsIndex) -> None:
    counts = indexed.counts()
    assert counts["pages"] == 4
    assert counts["redirects"] == 1
    assert "ci/old_variables.md" not in _by_path(indexed)
    assert "AGENTS.md" not in _by_path(indexed)


def test_owner_strings_are_normalised(indexed: SqliteDocsIndex) -> None:
    owners = {page.path: (page.stage, page.group) for page in indexed.pages()}
    assert owners["ci/variables.md"] == ("Verify", "Pipeline Authoring")
    assert owners["_index.md"] == (None, None)  # "none" / "unassigned"
    assert owners["runners/register.md"] == (None, "Runner Core")  # "None - Facilitated functionality, see …"
    assert normalise_owner("  Application   Security Testing ") == "Application Security Testing"
    assert normalise_owner("None") is None and normalise_owner(None) is None and normalise_owner(3) is None
    assert normalise_owner("Shared responsibility based on functional area") is None
    assert normalise_owner("Navigation & Settings") == "Navigation & Settings"  # not "n/a"


def test_sections_split_at_headings_with_gitlab_anchors() -> None:
    parsed = parse_page(
        "---\ntitle: T\n---\n\nIntro.\n\n## Protect a CI/CD variable\n\ntext\n\n"
        "```shell\n# not a heading\n```\n\n"
        "### Error: `variable not found`\n\n## Troubleshooting\n\n## Troubleshooting\n",
        fallback_title="t",
    )
    assert [(s.heading, s.anchor, s.level) for s in parsed.sections] == [
        (None, None, 0),
        ("Protect a CI/CD variable", "protect-a-cicd-variable", 2),
        ("Error: variable not found", "error-variable-not-found", 3),
        ("Troubleshooting", "troubleshooting", 2),
        ("Troubleshooting", "troubleshooting-1", 2),
    ]
    assert parsed.sections[2].trail == ("Protect a CI/CD variable",)
    assert "# not a heading" in parsed.sections[1].text
    assert heading_anchor("`artifacts:reports:coverage_report`") == "artifactsreportscoverage_report"
    assert (
        heading_anchor("Use [OpenID Connect](oidc.md) (OIDC) with *Vault*")
        == "use-openid-connect-oidc-with-vault"
    )


def test_a_page_without_a_title_takes_its_first_heading_or_file_name() -> None:
    assert parse_page("# Install it\n\nSteps.\n", fallback_title="install").title == "Install it"
    assert parse_page("Steps.\n", fallback_title="Install").title == "Install"
    assert parse_page("---\n: [broken\n---\nBody\n", fallback_title="Broken").title == "Broken"


def test_reindexing_touches_only_the_changed_file(docs_index: SqliteDocsIndex, docs_tree: Path) -> None:
    trees = [DocsTree(docs_tree, UrlRule(BASE))]
    first = service.index(docs_index, trees, exclude=EXCLUDE)
    assert (first.added, first.updated, first.removed) == (5, 0, 0)

    again = service.index(docs_index, trees, exclude=EXCLUDE)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)

    changed = docs_tree / "runners" / "register.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n## Unregister\n\nRemove a runner.\n")
    touched = docs_tree / "ci" / "_index.md"  # new mtime, same content: nothing to re-index
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))

    third = service.index(docs_index, trees, exclude=EXCLUDE)
    assert (third.added, third.updated, third.removed, third.unchanged) == (0, 1, 0, 4)
    assert third.changed_paths == ["runners/register.md"]
    assert service.suggest(docs_index, "unregister runner").suggestions[0].section == "Unregister"

    (docs_tree / "ci" / "variables.md").unlink()
    fourth = service.index(docs_index, trees, exclude=EXCLUDE)
    assert (fourth.removed, fourth.changed_paths) == (1, ["ci/variables.md"])
    assert "ci/variables.md" not in _by_path(docs_index)


def test_a_new_url_base_reindexes_the_tree(docs_index: SqliteDocsIndex, docs_tree: Path) -> None:
    service.index(docs_index, [DocsTree(docs_tree, UrlRule(BASE))], exclude=EXCLUDE)
    report = service.index(
        docs_index, [DocsTree(docs_tree, UrlRule("https://new.example.com/d/"))], exclude=EXCLUDE
    )
    assert report.updated == 5
    assert _by_path(docs_index)["ci/_index.md"] == "https://new.example.com/d/ci/"


def test_several_trees_each_with_its_url_base(docs_index: SqliteDocsIndex, tmp_path: Path) -> None:
    main = write_tree(tmp_path / "main", {"a.md": "# A\n\nalpha\n"})
    runner = write_tree(tmp_path / "runner", {"_index.md": "# Runner\n\nbeta\n", "a.md": "# A2\n\ngamma\n"})
    trees = service.trees_from(
        [main, runner], ["https://d.example/", "https://d.example/runner/"], "directory"
    )
    service.index(docs_index, trees)
    assert sorted(page.url for page in docs_index.pages()) == [
        "https://d.example/a/",
        "https://d.example/runner/",
        "https://d.example/runner/a/",
    ]
    with pytest.raises(ValueError, match="one per docs folder"):
        service.trees_from([main, runner], ["a", "b", "c"], "directory")


def test_the_index_file_is_rebuilt_when_its_schema_changes(
    tmp_path: Path, docs_tree: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite"
    index = SqliteDocsIndex(path)
    service.index(index, [DocsTree(docs_tree, UrlRule(BASE))], exclude=EXCLUDE)
    index.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema_version'")
    db.close()
    reopened = SqliteDocsIndex(path)
    try:
        assert reopened.counts()["pages"] == 0  # derived data: dropped, rebuilt by the next `desk docs index`
        assert "has schema old" in caplog.text and "run `desk docs index` again" in caplog.text
    finally:
        reopened.close()
