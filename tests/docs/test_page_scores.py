"""Page scores: the in-memory BM25 of `search` is FTS5's bm25(), and follows the index as it changes."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.query import extract_terms
from communitydesk.docs.schemas import FileChange, QueryTerm
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.sqlite_sections import match_expression
from communitydesk.docs.urls import UrlRule

from .conftest import BASE, EXCLUDE

TEXTS = [
    "How can I protect a variable so it only reaches protected branches?",
    "echo $SECRET_TOKEN fails: ERROR: variable not found",  # SECRET_TOKEN: a phrase term
    "Register a runner with a TOML configuration template, Kubernetes namespace",
    "pipelines pipelines build test deploy",  # a repeated term counts twice
]


def fts5_scores(
    index: SqliteDocsIndex, terms: list[QueryTerm], within: list[int] | None = None
) -> dict[int, float]:
    """Return FTS5's own bm25() of every page matching the terms in the text columns, as search did it."""
    expression = f"{{title description headings body}} : ({match_expression(terms)})"
    if within is not None:
        expression += " AND key : (" + " OR ".join(f"p{page_id}" for page_id in within) + ")"
    w = index.weights
    with closing(sqlite3.connect(index.path)) as db:
        rows = db.execute(
            "SELECT rowid, -bm25(pages_fts, 0, ?, ?, ?, ?) FROM pages_fts WHERE pages_fts MATCH ?",
            (w.title, w.description, w.headings, w.body, expression),
        ).fetchall()
    return {int(page_id): float(score) for page_id, score in rows}


@pytest.mark.parametrize("text", TEXTS)
def test_page_scores_are_fts5_bm25(indexed: SqliteDocsIndex, text: str) -> None:
    terms = indexed.analyse(extract_terms(text))
    assert terms
    expected = fts5_scores(indexed, terms)

    hits = indexed.search(terms, limit=100)

    assert {hit.page_id: hit.score for hit in hits} == pytest.approx(expected, rel=1e-12)
    assert [hit.score for hit in hits] == sorted(expected.values(), reverse=True)


def test_phrase_terms_match_as_phrases(indexed: SqliteDocsIndex) -> None:
    terms = [t for t in indexed.analyse(extract_terms("SECRET_TOKEN")) if len(t.tokens) > 1]
    assert [t.tokens for t in terms] == [("secret", "token")]
    assert [hit.path for hit in indexed.search(terms, limit=10)] == ["ci/variables.md"]
    reversed_phrase = [QueryTerm(("token", "secret"), 1, 1, terms[0].documents, 1.0)]
    assert indexed.search(reversed_phrase, limit=10) == []


def test_search_within_pages_scores_those_pages_only(indexed: SqliteDocsIndex) -> None:
    terms = indexed.analyse(extract_terms(TEXTS[0]))
    everywhere = indexed.search(terms, limit=100)
    within = [everywhere[-1].page_id, 10_000]  # the weakest match, and a page that does not exist

    hits = indexed.search(terms, limit=5, within=within)

    assert [(hit.page_id, hit.score) for hit in hits] == [(everywhere[-1].page_id, everywhere[-1].score)]
    assert hits[0].score == pytest.approx(fts5_scores(indexed, terms, within)[hits[0].page_id], rel=1e-12)
    assert indexed.search(terms, limit=5, within=[]) == []


def test_scores_follow_reindexing(docs_index: SqliteDocsIndex, docs_tree: Path) -> None:
    trees = [DocsTree(docs_tree, UrlRule(BASE))]
    service.index(docs_index, trees, exclude=EXCLUDE)
    terms = docs_index.analyse(extract_terms("Kubernetes namespace"))
    assert [hit.path for hit in docs_index.search(terms, limit=10)] == ["runners/register.md"]

    (docs_tree / "runners" / "register.md").unlink()
    (docs_tree / "k8s.md").write_text(
        "# Kubernetes\n\nEach Kubernetes namespace holds pods.\n", encoding="utf-8"
    )
    service.index(docs_index, trees, exclude=EXCLUDE)

    terms = docs_index.analyse(extract_terms("Kubernetes namespace"))
    hits = docs_index.search(terms, limit=10)
    assert [hit.path for hit in hits] == ["k8s.md"]
    assert {hit.page_id: hit.score for hit in hits} == pytest.approx(
        fts5_scores(docs_index, terms), rel=1e-12
    )


def test_a_reopened_index_scores_with_the_stored_postings(indexed: SqliteDocsIndex) -> None:
    terms = indexed.analyse(extract_terms(TEXTS[2]))
    with closing(sqlite3.connect(indexed.path)) as db:
        assert db.execute("SELECT count(*) FROM page_postings").fetchone() == (1,)

    with SqliteDocsIndex(indexed.path) as reopened:
        assert reopened.search(terms, limit=10) == indexed.search(terms, limit=10)


def test_pages_changed_without_refreshing_the_postings_still_score_right(
    indexed: SqliteDocsIndex, tmp_path: Path
) -> None:
    """`apply` alone (no `refresh_postings`) leaves the stored postings stale: they must not be used."""
    root = indexed.open_root(str((tmp_path / "docs").resolve()), UrlRule(BASE))
    indexed.apply(root, [FileChange("runners/register.md", None)])

    with SqliteDocsIndex(indexed.path) as reopened:
        for index in (indexed, reopened):
            terms = index.analyse(extract_terms("register a runner"))
            hits = index.search(terms, limit=10)
            assert [hit.path for hit in hits] == ["ci/variables.md"]
            assert {hit.page_id: hit.score for hit in hits} == pytest.approx(
                fts5_scores(index, terms), rel=1e-12
            )


def test_an_open_index_sees_reindexing_done_by_another_process(
    indexed: SqliteDocsIndex, docs_tree: Path
) -> None:
    """A worker keeps its index open while `desk docs index` runs elsewhere (another connection here)."""
    before = service.suggest(indexed, "Kubernetes namespace pods", top=3)
    assert [s.path for s in before.suggestions][:1] == ["runners/register.md"]
    (docs_tree / "k8s.md").write_text(
        "# Kubernetes pods\n\nEach Kubernetes namespace holds pods. Pods in a namespace share it.\n",
        encoding="utf-8",
    )
    with SqliteDocsIndex(indexed.path) as elsewhere:
        service.index(elsewhere, [DocsTree(docs_tree, UrlRule(BASE))], exclude=EXCLUDE)
        expected = service.suggest(elsewhere, "Kubernetes namespace pods", top=3)

    after = service.suggest(indexed, "Kubernetes namespace pods", top=3)

    assert [s.path for s in after.suggestions][:1] == ["k8s.md"]
    assert after == expected
