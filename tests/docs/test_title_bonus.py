"""A text that names a page's title points at that page, even when a longer page repeats its words more."""

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
