"""The docs index in its own SQLite file, searched with FTS5 (BM25 with per-column weights).

The file is derived data: a schema change simply drops and rebuilds it. It is separate from the desk's main
database (SQLite or PostgreSQL), so there is one ranking implementation everywhere.

Two FTS5 tables: one row per page (title, description, headings, text) and one row per section (heading
trail, text). Both carry a `key` column holding the page's token (`p<id>`), weighted 0: a query can then be
restricted to a few pages (`key : (p1 OR p7)`), which keeps BM25 cheap for long queries. Pages are scored
in memory with FTS5's own BM25 (see postings.py): FTS5 would score nearly every page for a long text.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from communitydesk.docs import sqlite_sections as sections
from communitydesk.docs import sqlite_vectors
from communitydesk.docs.postings import (
    PagePostings,
    phrase_scores,
    read_term_counts,
    store_term_counts,
    stored_term_counts,
)
from communitydesk.docs.query import Term
from communitydesk.docs.schemas import (
    FileChange,
    IndexedPage,
    PageHit,
    QueryTerm,
    RootState,
    SectionHit,
    Snippet,
    TitleMatch,
)
from communitydesk.docs.sqlite_pages import apply_changes, open_root, refresh_anchors
from communitydesk.docs.sqlite_schema import SCHEMA, SCHEMA_VERSION, TABLES, TOKENIZER
from communitydesk.docs.sqlite_sections import match_expression
from communitydesk.docs.titles import TitleTerms
from communitydesk.docs.urls import UrlRule

if TYPE_CHECKING:
    from communitydesk.docs.semantic import SemanticRanker

log = logging.getLogger(__name__)

_STEM_CACHE_SIZE = 100_000


@dataclass(frozen=True)
class FieldWeights:
    """BM25 weights of the columns: page title, description, headings, text, and a section's headings."""

    title: float = 4.0
    description: float = 2.0
    headings: float = 2.0
    body: float = 1.0
    section_headings: float = 2.0


class SqliteDocsIndex:
    """A `SearchBackend` on a SQLite file with FTS5; safe to share between threads."""

    def __init__(self, path: Path | str, *, weights: FieldWeights | None = None) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.weights = weights or FieldWeights()
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._ensure_schema()
        # A scratch FTS5 table with the same tokenizer turns query tokens into the index's terms (stems).
        self._db.execute(f"CREATE VIRTUAL TABLE temp.query_tokens USING fts5 (x, tokenize = '{TOKENIZER}')")
        self._db.execute(
            "CREATE VIRTUAL TABLE temp.query_stems USING fts5vocab (temp, query_tokens, instance)"
        )
        self._vocabulary: dict[str, int] | None = None
        self._page_count = 0
        self._titles: TitleTerms | None = None
        self._stem_cache: dict[str, str] = {}
        self._db.execute(
            "CREATE VIRTUAL TABLE temp.pages_instances USING fts5vocab (main, pages_fts, instance)"
        )
        self._postings: PagePostings | None = None
        self._data_version: int | None = None
        # The semantic extra, when the settings turn it on (see service.open_index).
        self.semantic: SemanticRanker | None = None

    # -- schema ---------------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row and row[0] == SCHEMA_VERSION:
                return
            log.warning(
                "docs index %s has schema %s, this version needs %s: emptied; run `desk docs index` again",
                self.path, row[0] if row else "unknown", SCHEMA_VERSION,
            )  # fmt: skip
        self.clear()

    def clear(self) -> None:
        """Empty the index: every tree, page and remembered file."""
        with self._transaction():
            for name in TABLES:
                self._db.execute(f"DROP TABLE IF EXISTS {name}")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            self._db.execute("INSERT INTO meta VALUES ('pages_version', '0')")
            self._vocabulary = None
            self._postings = None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- writing --------------------------------------------------------------------------------------

    def open_root(self, path: str, rule: UrlRule) -> RootState:
        with self._transaction():
            return open_root(self._db, path, rule)

    def apply(self, root: RootState, changes: Iterable[FileChange]) -> None:
        with self._transaction():
            changed = apply_changes(self._db, root.id, changes)
            self._vocabulary = None
            if changed:  # the stored postings stay valid for a batch that changed no page
                self._db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'pages_version'"
                )
                self._postings = None

    def refresh_anchors(self) -> None:
        """Bring every page's link texts and link count up to date with the stored links (see
        sqlite_pages.refresh_anchors: any page may link to any other, so this runs once the pages are in)."""
        with self._transaction():
            refresh_anchors(self._db)
            self._vocabulary = None

    def refresh_postings(self) -> None:
        """Store the pages' term counts for page scores, read from FTS5 (about a second for GitLab's docs)."""
        with self._transaction():
            counts = store_term_counts(self._db)
            if counts is not None:
                self._postings = PagePostings.weighted(counts, self._column_weights())

    def optimise(self) -> None:
        """Merge each full-text index into one b-tree: faster queries after a large (re)build."""
        with self._transaction():
            for table in ("pages_fts", "sections_fts"):
                self._db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608 - constants

    # -- reading --------------------------------------------------------------------------------------

    def analyse(self, terms: Sequence[Term]) -> list[QueryTerm]:
        tokens = sorted({token for term in terms for token in term.tokens})
        if not tokens:
            return []
        with self._lock:
            stems = self._stems(tokens)
            vocabulary = self._load_vocabulary()
            total = self._page_count
        analysed = []
        for term in terms:
            frequency = min(vocabulary.get(stems.get(token, ""), 0) for token in term.tokens)
            if frequency == 0:
                continue
            analysed.append(QueryTerm(term.tokens, term.count, frequency, total, _idf(frequency, total)))
        return analysed

    def _stems(self, tokens: Sequence[str]) -> dict[str, str]:
        """Return each token as the index's tokenizer stores it (its stem); remembered, as the tokenizer
        round trip costs more than the rest of the analysis."""
        unknown = [token for token in tokens if token not in self._stem_cache]
        if unknown:
            if len(self._stem_cache) > _STEM_CACHE_SIZE:
                self._stem_cache.clear()
            self._db.executemany("INSERT INTO temp.query_tokens (rowid, x) VALUES (?, ?)", enumerate(unknown))
            found = dict(self._db.execute("SELECT doc, term FROM temp.query_stems").fetchall())
            self._db.execute("DELETE FROM temp.query_tokens")
            self._stem_cache.update((token, found.get(i, "")) for i, token in enumerate(unknown))
        return {token: stem for token in tokens if (stem := self._stem_cache[token])}

    def _forget_changes_made_elsewhere(self) -> None:
        """Drop what was read from the file if another connection (`desk docs index` in another process)
        has committed to it since: SQLite's data_version changes only for other connections' commits, and
        reading it costs microseconds. This connection's own changes drop the caches where they are made."""
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        if version != self._data_version:
            self._data_version = version
            self._vocabulary = None
            self._postings = None
            self._titles = None

    def _load_vocabulary(self) -> dict[str, int]:
        """Return how many pages hold each term (read once, then after every change)."""
        self._forget_changes_made_elsewhere()
        if self._vocabulary is None:
            self._vocabulary = dict(self._db.execute("SELECT term, doc FROM pages_vocab"))
            self._page_count = int(self._db.execute("SELECT count(*) FROM pages").fetchone()[0])
            self._titles = None
        return self._vocabulary

    def title_matches(self, tokens: Sequence[str], page_ids: Sequence[int]) -> dict[int, TitleMatch]:
        if not tokens:
            return {}
        with self._lock:
            stems = set(self._stems(sorted(set(tokens))).values())
            titles = self._load_titles()
        return titles.matches(stems, page_ids)

    def heading_matches(self, terms: Sequence[QueryTerm]) -> dict[int, float]:
        """Return the pages with a section heading naming one of the terms, with those terms' idf sum."""
        found: dict[int, float] = {}
        with self._lock:
            for term in terms:
                expression = match_expression([term])
                if not expression:
                    continue
                rows = self._db.execute(
                    "SELECT DISTINCT s.page_id FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid"
                    " WHERE sections_fts MATCH ?",
                    (f"{{headings}} : ({expression})",),
                )
                for (page_id,) in rows.fetchall():
                    found[page_id] = found.get(page_id, 0.0) + term.idf
        return found

    def anchor_matches(self, terms: Sequence[QueryTerm], *, limit: int) -> dict[int, float]:
        """Return the pages whose incoming link texts best match the terms, with their BM25 scores."""
        expression = match_expression(terms)
        if not expression:
            return {}
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, -bm25(anchors_fts) AS score FROM anchors_fts WHERE anchors_fts MATCH ?"
                " ORDER BY score DESC LIMIT ?",
                (expression, limit),
            )
            return {int(page_id): float(score) for page_id, score in rows.fetchall()}

    def _load_titles(self) -> TitleTerms:
        """Return every page's title terms with their weights (read once, then after every change)."""
        vocabulary, total = self._load_vocabulary(), self._page_count
        if self._titles is None:
            # Titles go through the scratch table: the tokenizer makes the same stems as in the index.
            self._db.execute("INSERT INTO temp.query_tokens (rowid, x) SELECT id, title FROM pages")
            stems = self._db.execute("SELECT doc, term FROM temp.query_stems").fetchall()
            self._db.execute("DELETE FROM temp.query_tokens")
            idf = {stem: _idf(vocabulary.get(stem, 1), total) for _, stem in stems}
            self._titles = TitleTerms.of(stems, idf)
        return self._titles

    def search(
        self, terms: Sequence[QueryTerm], *, limit: int, within: Sequence[int] | None = None
    ) -> list[PageHit]:
        if not match_expression(terms) or within == [] or limit <= 0:
            return []
        with self._lock:
            postings = self._load_postings()
            scores = np.zeros(postings.size, dtype=np.float64)
            matched = np.zeros(postings.size, dtype=bool)
            phrases = [(term, [token for token in term.tokens if token.isalnum()]) for term in terms]
            words = self._stems(sorted({tokens[0] for _, tokens in phrases if len(tokens) == 1}))
            for term, tokens in phrases:  # the tokens match_expression would quote
                if len(tokens) == 1:
                    pages, term_scores = postings.term_scores(words.get(tokens[0], ""))
                elif tokens:
                    pages, term_scores = phrase_scores(
                        self._db, tokens, self._column_weights(), postings.size
                    )
                else:
                    continue
                # A term repeated in the text counts as often (FTS5's BM25 has no query-term weights).
                scores[pages] += term_scores * max(term.count, 1)
                matched[pages] = True
            found = np.flatnonzero(matched)
            if within is not None:
                found = np.intersect1d(found, np.array(within, dtype=np.int64))
            best = found[np.lexsort((found, -scores[found]))[:limit]].tolist()
            return self._scored_hits(best, scores[best].tolist())

    def _load_postings(self) -> PagePostings:
        """Return the page postings: the stored ones when they are of the current pages, else read from FTS5
        (an index changed by `apply` without `refresh_postings`); kept until the pages change."""
        self._forget_changes_made_elsewhere()
        if self._postings is None:
            counts = stored_term_counts(self._db) or read_term_counts(self._db)
            self._postings = PagePostings.weighted(counts, self._column_weights())
        return self._postings

    def _column_weights(self) -> tuple[float, float, float, float]:
        w = self.weights
        return w.title, w.description, w.headings, w.body

    def best_sections(
        self, page_ids: Sequence[int], terms: Sequence[QueryTerm], *, per_page: int = 1
    ) -> dict[int, list[SectionHit]]:
        with self._lock:
            return sections.best(
                self._db, page_ids, terms, self.weights.section_headings / self.weights.body, per_page
            )

    def snippet(self, section_id: int, terms: Sequence[QueryTerm], *, tokens: int = 24) -> Snippet:
        with self._lock:
            return sections.snippet(self._db, section_id, terms, tokens)

    def page_hits(self, page_ids: Sequence[int]) -> list[PageHit]:
        """Return pages by id (score 0), in the order asked."""
        return self._scored_hits(page_ids, [0.0] * len(page_ids))

    def _scored_hits(self, page_ids: Sequence[int], scores: Sequence[float]) -> list[PageHit]:
        """Return pages by id with the given scores, in the order asked (built once: a search returns
        a hundred of them, and copying each to set its score cost a tenth of a suggestion)."""
        if not page_ids:
            return []
        marks = ", ".join("?" * len(page_ids))
        sql = (
            "SELECT p.id, r.path, p.path, p.url, p.title, p.stage, p.group_name, p.inlinks"  # noqa: S608
            f" FROM pages p JOIN roots r ON r.id = p.root_id WHERE p.id IN ({marks})"
        )
        with self._lock:
            found = {row[0]: row for row in self._db.execute(sql, list(page_ids)).fetchall()}
        hits = []
        for page_id, score in zip(page_ids, scores, strict=True):
            if page_id in found:
                _, root, path, url, title, stage, group, inlinks = found[page_id]
                hits.append(PageHit(page_id, root, path, url, title, stage, group, score, inlinks))
        return hits

    def pages_to_embed(self, model: str) -> list[tuple[int, str]]:
        """Return the pages without a vector of `model`, each with the text to embed."""
        with self._lock:
            return sqlite_vectors.pages_to_embed(self._db, model)

    def store_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        """Store page vectors of `model`; a page's older vector (of any model) is replaced."""
        with self._transaction():
            sqlite_vectors.store(self._db, model, vectors)

    def page_vectors(self, model: str) -> list[tuple[int, bytes]]:
        """Return every stored page vector of `model`."""
        with self._lock:
            return sqlite_vectors.of_model(self._db, model)

    def vector_count(self, model: str) -> int:
        with self._lock:
            return sqlite_vectors.count(self._db, model)

    def counts(self) -> dict[str, int]:
        queries = {
            "roots": "SELECT count(*) FROM roots",
            "pages": "SELECT count(*) FROM pages",
            "sections": "SELECT count(*) FROM sections",
            "redirects": "SELECT count(*) FROM files WHERE redirect_to IS NOT NULL",
        }
        with self._lock:
            return {name: int(self._db.execute(sql).fetchone()[0]) for name, sql in queries.items()}

    def pages(self) -> list[IndexedPage]:
        """Return every indexed page, by tree and path."""
        with self._lock:
            rows = self._db.execute(
                "SELECT r.path, p.path, p.url, p.title, p.stage, p.group_name FROM pages p"
                " JOIN roots r ON r.id = p.root_id ORDER BY r.path, p.path"
            ).fetchall()
        return [IndexedPage(*row) for row in rows]

    def __enter__(self) -> SqliteDocsIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _idf(frequency: int, total: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
