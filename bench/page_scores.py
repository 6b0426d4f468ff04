"""Check the in-memory page BM25 against FTS5's own bm25() on the docs bench's queries, and time both.

The queries: the 202 deprecation notices and 300 troubleshooting headings of bench/docs_eval.py, as
`suggest` turns them into search terms. For each, the top 30 of `SqliteDocsIndex.search` must be FTS5's
top 30 (text columns, ties by page id), in the same order and with the same scores.

    .venv/bin/python bench/page_scores.py [--data ../shared/data] [--index FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from docs_eval import DEFAULT_DATA, EXCLUDE, TREES, _docs_index, _rows

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.query import extract_terms
from communitydesk.docs.ranking import select_terms
from communitydesk.docs.schemas import QueryTerm
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.sqlite_sections import match_expression
from communitydesk.docs.urls import UrlRule

LIMIT = 30


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--index", type=Path, help="an index file built from the bench's trees (else built)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        index = SqliteDocsIndex(args.index or Path(scratch) / "docs_index.sqlite")
        if not index.counts()["pages"]:
            trees = [DocsTree(args.data / "gitlab-docs" / sub, UrlRule(base)) for sub, base in TREES]
            service.index(index, trees, exclude=EXCLUDE)
        texts = _texts(args.data)
        queries = [q for q in (select_terms(index.analyse(extract_terms(text))) for text in texts) if q]
        started = time.perf_counter()
        index.search(queries[0], limit=LIMIT)
        print(f"{len(queries)} queries; postings loaded in {time.perf_counter() - started:.2f} s")
        memory, fts5, differing, worst = [], [], 0, 0.0
        db = sqlite3.connect(index.path)  # a connection of its own: FTS5 as anyone sees the file
        for terms in queries:
            started = time.perf_counter()
            hits = index.search(terms, limit=LIMIT)
            memory.append(time.perf_counter() - started)
            started = time.perf_counter()
            expected = _fts5_top(db, index, terms)
            fts5.append(time.perf_counter() - started)
            differing += [hit.page_id for hit in hits] != [page_id for page_id, _ in expected]
            for hit, (_, score) in zip(hits, expected, strict=False):
                worst = max(worst, abs(hit.score - score) / max(abs(score), 1e-12))
        db.close()
        index.close()
    print(f"top {LIMIT} in another order: {differing}; largest relative score difference: {worst:.1e}")
    for name, times in (("in memory", memory), ("FTS5", fts5)):
        ordered = sorted(times)
        p50, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
        print(f"{name:>9}: p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")
    return 1 if differing or worst > 1e-9 else 0


def _texts(data: Path) -> list[str]:
    notices, _ = _rows(
        data / "dev-eval" / "deprecations_to_stage.jsonl",
        _docs_index(data / "gitlab-docs" / "docs_index.jsonl"),
        strict=False,
    )
    lines = (
        (data / "dev-eval" / "doc_troubleshooting_headings.jsonl").read_text(encoding="utf-8").splitlines()
    )
    headings = [json.loads(line)["heading"] for line in random.Random(7).sample(lines, min(300, len(lines)))]
    return [row.query for row in notices] + headings


def _fts5_top(
    db: sqlite3.Connection, index: SqliteDocsIndex, terms: Sequence[QueryTerm]
) -> list[tuple[int, float]]:
    """Return FTS5's best pages for the terms, as search ran them before scoring moved to memory."""
    w = index.weights
    expression = f"{{title description headings body}} : ({match_expression(terms)})"
    rows = db.execute(
        "SELECT rowid, -bm25(pages_fts, 0, ?, ?, ?, ?) AS score FROM pages_fts WHERE pages_fts MATCH ?"
        " ORDER BY score DESC, rowid LIMIT ?",
        (w.title, w.description, w.headings, w.body, expression, LIMIT),
    ).fetchall()
    return [(int(page_id), float(score)) for page_id, score in rows]


if __name__ == "__main__":
    sys.exit(main())
