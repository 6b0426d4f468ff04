"""A text naming a page's title, or a rare identifier in a heading, points at that page, even when another
page repeats its words more."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from communitydesk.docs import service
from communitydesk.docs.ranking import DEFAULT_OPTIONS
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from tests.docs.conftest import BASE, page, write_tree

PAGES = {
    "gitaly.md": page({"title": "Gitaly"}, "Gitaly serves Git repositories to the application.\n"),
    "storage.md": page(
        {"title": "Repository storage"},
        "Repository storage holds every Git repository; Gitaly reads it.\n"
        "## Move repository storage\n\nMove a repository between shards on NFS.\n",
    ),
    # Unrelated pages, so that the words above are rare in the corpus, as in a real docs tree.
    **{
        f"{topic.lower()}.md": page({"title": topic}, f"{topic} of the application: settings and limits.\n")
        for topic in ("Backups", "Webhooks", "Licenses", "Emails", "Themes", "Badges", "Labels", "Milestones")
    },
}
TEXT = "Is Gitaly cluster still supported, or is NFS the way to keep a Git repository?"


def test_the_page_whose_title_the_text_names_comes_first(tmp_path: Path) -> None:
    index = SqliteDocsIndex(tmp_path / "index.sqlite")
    tree = write_tree(tmp_path / "docs", PAGES)
    service.index(index, [service.DocsTree(tree, service.UrlRule(BASE))])
    try:
        without = service.suggest(index, TEXT, options=replace(DEFAULT_OPTIONS, title_bonus=0.0))
        named = service.suggest(index, TEXT)
        assert without.suggestions[0].path == "storage.md"  # more of the words, more often
        assert named.suggestions[0].path == "gitaly.md"
        assert named.confidence <= without.confidence  # the bonus is left out of the confidence model
    finally:
        index.close()


REFERENCE = {
    "reference.md": page(
        {"title": "API reference"},
        "Every object of the API.\n\n"
        + "".join(f"## Object{n}\n\nFields of object {n}: name, id, state and more.\n\n" for n in range(300))
        + "## PipelineSecurityReportFinding\n\nA finding of a security report.\n",
    ),
    "findings.md": page(
        {"title": "Vulnerability findings"},
        "A pipeline security report lists findings. Each security report finding of a pipeline has a\n"
        "state; security report findings of the latest pipeline replace older findings.\n",
    ),
    **{
        f"{topic}.md": page({"title": topic.title()}, f"{topic} settings.\n")
        for topic in ("badges", "labels")
    },
}


def test_a_rare_identifier_named_by_a_heading_points_at_its_page(tmp_path: Path) -> None:
    index = SqliteDocsIndex(tmp_path / "index.sqlite")
    tree = write_tree(tmp_path / "docs", REFERENCE)
    service.index(index, [service.DocsTree(tree, service.UrlRule(BASE))])
    text = "PipelineSecurityReportFinding: security report findings of the pipeline"
    try:
        without = service.suggest(index, text, options=replace(DEFAULT_OPTIONS, heading_bonus=0.0))
        named = service.suggest(index, text)
        assert without.suggestions[0].path == "findings.md"
        assert (named.suggestions[0].path, named.suggestions[0].section) == (
            "reference.md",
            "PipelineSecurityReportFinding",
        )
    finally:
        index.close()
