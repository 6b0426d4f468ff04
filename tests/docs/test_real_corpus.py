"""The real GitLab docs (three trees): every page's URL matches the published mapping in docs_index.jsonl."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule

DOCS = Path(__file__).resolve().parents[3] / "shared" / "data" / "gitlab-docs"
TREES = {"doc": "https://docs.gitlab.com/", "runner/docs": "https://docs.gitlab.com/runner/",
         "omnibus/doc": "https://docs.gitlab.com/omnibus/"}  # fmt: skip

pytestmark = pytest.mark.skipif(
    not (DOCS / "docs_index.jsonl").is_file(), reason="shared GitLab docs data missing"
)


@pytest.fixture(scope="module")
def gitlab_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteDocsIndex]:
    index = SqliteDocsIndex(tmp_path_factory.mktemp("gitlab") / "docs_index.sqlite")
    trees = [DocsTree(DOCS / folder, UrlRule(base)) for folder, base in TREES.items()]
    report = service.index(index, trees, exclude=["AGENTS.md", "CLAUDE.md"])
    assert report.redirects == 43
    yield index
    index.close()


def test_every_indexed_page_has_the_published_url(gitlab_index: SqliteDocsIndex) -> None:
    published = {}
    for line in (DOCS / "docs_index.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        published[row["path"]] = row["url"]
    roots = {str((DOCS / folder).resolve()): folder for folder in TREES}

    pages = gitlab_index.pages()

    assert len(pages) == 2674  # 2,721 files, less 43 redirect stubs and 4 agent instruction files
    for page in pages:
        assert page.url == published[f"{roots[page.root]}/{page.path}"]
    urls = {page.path: page.url for page in pages}
    assert urls["ci/variables/_index.md"] == "https://docs.gitlab.com/ci/variables/"
    assert urls["user/project/merge_requests/approvals/rules.md"] == (
        "https://docs.gitlab.com/user/project/merge_requests/approvals/rules/"
    )


def test_known_questions_find_their_pages_confidently(gitlab_index: SqliteDocsIndex) -> None:
    result = service.suggest(gitlab_index, "How do I reset the root password?")
    best = result.suggestions[0]
    assert best.url == "https://docs.gitlab.com/security/reset_user_password/#reset-the-root-password"
    assert best.stage is not None
    assert result.level == "high"
    ssl = "fatal: unable to access: SSL certificate problem: self signed certificate in certificate chain"
    # The SSL troubleshooting pages and the runner's self-signed TLS page both answer it.
    assert any(word in service.suggest(gitlab_index, ssl).suggestions[0].url for word in ("ssl", "tls"))


def test_off_topic_text_gets_low_confidence(gitlab_index: SqliteDocsIndex) -> None:
    for text in (
        "Best pizza dough: flour, water, salt, and a slow overnight rise.",
        "Congrats on the IPO, folks!",
    ):
        assert service.suggest(gitlab_index, text).level == "low", text
