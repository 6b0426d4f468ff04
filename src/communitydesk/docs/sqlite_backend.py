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
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from communitydesk.docs.links import collect_anchors, redirect_urls
from communitydesk.docs.postings import PagePostings, TermCounts, read_term_counts
from communitydesk.docs.query import Term
from communitydesk.docs.schemas import (
    MARK_END,
    MARK_START,
    FileChange,
    FileState,
    IndexedPage,
    PageHit,
    PageRecord,
    QueryTerm,
    RootState,
    SectionHit,
    Snippet,
    TitleMatch,
)
from communitydesk.docs.sqlite_schema import SCHEMA, SCHEMA_VERSION, TABLES, TOKENIZER
from communitydesk.docs.urls import UrlRule, UrlStyle

if TYPE_CHECKING:
    from communitydesk.docs.semantic import SemanticRanker

log = logging.getLogger(__name__)

_FENCE_MARK = re.compile(r"(?:`{3,}|~{3,})[\w+-]*")
_BODY_COLUMN = 2  # of sections_fts, for snippets
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
        self._titles: _TitleTerms | None = None
        self._stem_cache: dict[str, str] = {}
        self._db.execute(
            "CREATE VIRTUAL TABLE temp.pages_instances USING fts5vocab (main, pages_fts, instance)"
        )
        self._postings: PagePostings | None = None
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
            row = self._db.execute(
                "SELECT id, url_base, url_style FROM roots WHERE path = ?", (path,)
            ).fetchone()
            if row is None:
                cursor = self._db.execute(
                    "INSERT INTO roots (path, url_base, url_style) VALUES (?, ?, ?)",
                    (path, rule.base, rule.style.value),
                )
                root_id, changed = int(cursor.lastrowid or 0), False
            else:
                root_id = int(row[0])
                changed = UrlRule(row[1], UrlStyle(row[2])) != rule
                if changed:
                    self._db.execute(
                        "UPDATE roots SET url_base = ?, url_style = ? WHERE id = ?",
                        (rule.base, rule.style.value, root_id),
                    )
            files = {
                name: FileState(mtime_ns, size, sha256)
                for name, mtime_ns, size, sha256 in self._db.execute(
                    "SELECT path, mtime_ns, size, sha256 FROM files WHERE root_id = ?", (root_id,)
                )
            }
        return RootState(root_id, path, rule, files, changed)

    def apply(self, root: RootState, changes: Iterable[FileChange]) -> None:
        changed = False
        with self._transaction():
            for change in changes:
                changed = changed or change.content_changed
                if change.content_changed:
                    self._delete_page(root.id, change.path)
                if change.state is None:
                    self._db.execute(
                        "DELETE FROM files WHERE root_id = ? AND path = ?", (root.id, change.path)
                    )
                    continue
                self._db.execute(
                    "INSERT OR REPLACE INTO files (root_id, path, mtime_ns, size, sha256, redirect_to)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (root.id, change.path, *_state_row(change.state), change.redirect_to),
                )
                if change.page is not None and change.content_changed:
                    self._insert_page(root.id, change.page)
            self._vocabulary = None
            if changed:  # the stored postings stay valid for a batch that changed no page
                self._db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'pages_version'"
                )
                self._postings = None

    def refresh_anchors(self) -> None:
        """Bring every page's link texts and link count up to date with the stored links.

        A link's target may be any page of any tree, indexed before or after it: so this runs once the
        pages are in, over all links (tens of thousands for the GitLab docs: well under a second), and
        rewrites only the pages whose anchors changed.
        """
        with self._transaction():
            pages = dict(self._db.execute("SELECT url, id FROM pages"))
            redirects = redirect_urls(
                self._db.execute(
                    "SELECT r.url_base, r.url_style, f.path, f.redirect_to FROM files f"
                    " JOIN roots r ON r.id = f.root_id WHERE f.redirect_to IS NOT NULL"
                )
            )
            anchors = collect_anchors(
                self._db.execute("SELECT page_id, target_url, text FROM links"), pages, redirects
            )
            stored = self._db.execute(
                "SELECT p.id, p.inlinks, a.anchors FROM pages p LEFT JOIN anchors_fts a ON a.rowid = p.id"
            ).fetchall()
            for page_id, inlinks, text in stored:
                if anchors.text(page_id) != (text or ""):
                    self._db.execute("DELETE FROM anchors_fts WHERE rowid = ?", (page_id,))
                    if anchors.text(page_id):  # no empty rows: they would shrink the average length
                        self._db.execute(
                            "INSERT INTO anchors_fts (rowid, anchors) VALUES (?, ?)",
                            (page_id, anchors.text(page_id)),
                        )
                if anchors.inlinks(page_id) != inlinks:
                    self._db.execute(
                        "UPDATE pages SET inlinks = ? WHERE id = ?", (anchors.inlinks(page_id), page_id)
                    )
            self._vocabulary = None

    def refresh_postings(self) -> None:
        """Store the pages' term counts for page scores, read from FTS5 (about a second for GitLab's docs)."""
        with self._transaction():
            version = self._pages_version()
            stored = self._db.execute("SELECT pages_version FROM page_postings").fetchone()
            if stored is not None and stored[0] == version:
                return
            counts = read_term_counts(self._db)
            self._db.execute("DELETE FROM page_postings")
            self._db.execute(
                "INSERT INTO page_postings (pages_version, rows, stems, bounds, pages, counts, lengths)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (version, *counts.to_row()),
            )
            self._postings = PagePostings.weighted(counts, self._column_weights())

    def optimise(self) -> None:
        """Merge each full-text index into one b-tree: faster queries after a large (re)build."""
        with self._transaction():
            for table in ("pages_fts", "sections_fts"):
                self._db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608 - constants

    def _delete_page(self, root_id: int, path: str) -> None:
        row = self._db.execute(
            "SELECT id FROM pages WHERE root_id = ? AND path = ?", (root_id, path)
        ).fetchone()
        if row is None:
            return
        self._db.execute(
            "DELETE FROM sections_fts WHERE rowid IN (SELECT id FROM sections WHERE page_id = ?)", (row[0],)
        )
        self._db.execute("DELETE FROM pages_fts WHERE rowid = ?", (row[0],))
        self._db.execute("DELETE FROM anchors_fts WHERE rowid = ?", (row[0],))
        self._db.execute("DELETE FROM pages WHERE id = ?", (row[0],))

    def _insert_page(self, root_id: int, page: PageRecord) -> None:
        cursor = self._db.execute(
            "INSERT INTO pages (root_id, path, url, title, description, stage, group_name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (root_id, page.path, page.url, page.title, page.description, page.stage, page.group),
        )
        page_id = int(cursor.lastrowid or 0)
        key = _page_key(page_id)
        for ordinal, section in enumerate(page.sections):
            cursor = self._db.execute(
                "INSERT INTO sections (page_id, ordinal, heading, level, anchor, url)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (page_id, ordinal, section.heading, section.level, section.anchor, section.url),
            )
            trail = " / ".join((*section.trail, section.heading)) if section.heading else ""
            self._db.execute(
                "INSERT INTO sections_fts (rowid, key, headings, body) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, key, trail, section.text),
            )
        self._db.executemany(
            "INSERT INTO links (page_id, target_url, text) VALUES (?, ?, ?)",
            [(page_id, link.target_url, link.text) for link in page.links],
        )
        self._db.execute(
            "INSERT INTO pages_fts (rowid, key, title, description, headings, body)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                page_id,
                key,
                page.title,
                page.description or "",
                "\n".join(s.heading for s in page.sections if s.heading),
                "\n\n".join(s.text for s in page.sections),
            ),
        )

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

    def _load_vocabulary(self) -> dict[str, int]:
        """Return how many pages hold each term (read once, then after every change)."""
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
        named = {page for stem in stems for page in titles.by_rarest.get(stem, ())}
        matches = {}
        for page_id in {*page_ids, *named}:
            weights = titles.weights.get(page_id, {})
            total = sum(weights.values())
            mentioned = sum(weight for stem, weight in weights.items() if stem in stems)
            if total > 0 and (page_id in page_ids or mentioned >= total):
                matches[page_id] = TitleMatch(mentioned / total, mentioned)
        return matches

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

    def _load_titles(self) -> _TitleTerms:
        """Return every page's title terms with their weights (read once, then after every change)."""
        vocabulary, total = self._load_vocabulary(), self._page_count
        if self._titles is None:
            # Titles go through the scratch table: the tokenizer makes the same stems as in the index.
            self._db.execute("INSERT INTO temp.query_tokens (rowid, x) SELECT id, title FROM pages")
            weights: dict[int, dict[str, float]] = {}
            for page_id, stem in self._db.execute("SELECT doc, term FROM temp.query_stems"):
                weights.setdefault(page_id, {})[stem] = _idf(vocabulary.get(stem, 1), total)
            self._db.execute("DELETE FROM temp.query_tokens")
            by_rarest: dict[str, list[int]] = {}
            for page_id, title in weights.items():
                by_rarest.setdefault(max(title, key=title.__getitem__), []).append(page_id)
            self._titles = _TitleTerms(weights, by_rarest)
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
                    pages, term_scores = self._phrase_scores(tokens, postings.size)
                else:
                    continue
                # A term repeated in the text counts as often (FTS5's BM25 has no query-term weights).
                scores[pages] += term_scores * max(term.count, 1)
                matched[pages] = True
            found = np.flatnonzero(matched)
            if within is not None:
                found = np.intersect1d(found, np.array(within, dtype=np.int64))
            best = found[np.lexsort((found, -scores[found]))[:limit]].tolist()
            return [replace(hit, score=float(scores[hit.page_id])) for hit in self.page_hits(best)]

    def _phrase_scores(
        self, tokens: Sequence[str], size: int
    ) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Return the pages holding a phrase and its BM25 score in each, from FTS5 (which has the positions).

        BM25 is a sum over phrases, and a phrase's score in a page does not depend on the other phrases: so
        one query per phrase gives what the whole OR query would. Phrases match few pages: this is cheap.
        """
        expression = '"' + " ".join(tokens) + '"'  # letters and digits only: nothing else can get in
        w = self.weights
        restricted = f"{{title description headings body}} : ({expression})"  # as the postings: no key
        rows = self._db.execute(
            "SELECT rowid, -bm25(pages_fts, 0, ?, ?, ?, ?) FROM pages_fts WHERE pages_fts MATCH ?",
            (w.title, w.description, w.headings, w.body, restricted),
        ).fetchall()
        pages = np.array([page for page, _ in rows if page < size], dtype=np.int32)
        return pages, np.array([score for page, score in rows if page < size], dtype=np.float64)

    def _load_postings(self) -> PagePostings:
        """Return the page postings: the stored ones when they are of the current pages, else read from FTS5
        (an index changed by `apply` without `refresh_postings`); kept until the pages change."""
        if self._postings is None:
            row = self._db.execute(
                "SELECT rows, stems, bounds, pages, counts, lengths FROM page_postings"
                " WHERE pages_version = ?",
                (self._pages_version(),),
            ).fetchone()
            counts = TermCounts.from_row(*row) if row else read_term_counts(self._db)
            self._postings = PagePostings.weighted(counts, self._column_weights())
        return self._postings

    def _pages_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'pages_version'").fetchone()
        return int(row[0]) if row else 0

    def _column_weights(self) -> tuple[float, float, float, float]:
        w = self.weights
        return w.title, w.description, w.headings, w.body

    def best_sections(
        self, page_ids: Sequence[int], terms: Sequence[QueryTerm], *, per_page: int = 1
    ) -> dict[int, list[SectionHit]]:
        expression = match_expression(terms)
        if not expression or not page_ids:
            return {}
        expression = f"{{headings body}} : ({expression}) AND key : ({_keys(page_ids)})"
        sql = """
            SELECT s.page_id, s.id, s.heading, s.anchor, s.url, -bm25(sections_fts, 0, ?, 1) AS score
            FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid
            WHERE sections_fts MATCH ? ORDER BY score DESC
        """
        found: dict[int, list[SectionHit]] = {}
        with self._lock:
            rows = self._db.execute(sql, (self.weights.section_headings / self.weights.body, expression))
            for page_id, *section in rows.fetchall():
                hits = found.setdefault(page_id, [])
                if len(hits) < per_page:
                    hits.append(SectionHit(*section))
            unmatched = [int(page_id) for page_id in page_ids if page_id not in found]
            if unmatched:  # the page matched as a whole (say, its title): point at its start
                marks = ", ".join("?" * len(unmatched))
                first_sections = (
                    f"SELECT page_id, id, heading, anchor, url, 0.0 FROM sections"  # noqa: S608 - only ?s
                    f" WHERE page_id IN ({marks}) AND ordinal = 0"
                )
                rows = self._db.execute(first_sections, unmatched)
                for page_id, *section in rows.fetchall():
                    found[page_id] = [SectionHit(*section)]
        return found

    def snippet(self, section_id: int, terms: Sequence[QueryTerm], *, tokens: int = 24) -> Snippet:
        expression = match_expression(terms)
        with self._lock:
            row = None
            if expression:
                row = self._db.execute(
                    "SELECT snippet(sections_fts, ?, ?, ?, '…', ?) FROM sections_fts"
                    " WHERE sections_fts MATCH ? AND rowid = ?",
                    (
                        _BODY_COLUMN,
                        MARK_START,
                        MARK_END,
                        tokens,
                        f"{{headings body}} : ({expression})",
                        section_id,
                    ),
                ).fetchone()
            if row is None:
                row = self._db.execute(
                    "SELECT substr(body, 1, 200) FROM sections_fts WHERE rowid = ?", (section_id,)
                ).fetchone()
        # Code fence lines (```shell) are Markdown, not text a reader should see in a one-line excerpt.
        return Snippet(" ".join(_FENCE_MARK.sub(" ", str(row[0])).split()) if row else "")

    def page_hits(self, page_ids: Sequence[int]) -> list[PageHit]:
        """Return pages by id (score 0), in the order asked."""
        if not page_ids:
            return []
        marks = ", ".join("?" * len(page_ids))
        sql = (
            "SELECT p.id, r.path, p.path, p.url, p.title, p.stage, p.group_name, 0.0, p.inlinks"  # noqa: S608
            f" FROM pages p JOIN roots r ON r.id = p.root_id WHERE p.id IN ({marks})"
        )
        with self._lock:
            found = {row[0]: PageHit(*row) for row in self._db.execute(sql, list(page_ids)).fetchall()}
        return [found[page_id] for page_id in page_ids if page_id in found]

    def pages_to_embed(self, model: str) -> list[tuple[int, str]]:
        """Return the pages without a vector of `model`, each with the text to embed (title, description,
        headings: what the page is about, short enough for the model)."""
        sql = """
            SELECT p.id, p.title, coalesce(p.description, ''),
                   coalesce((SELECT group_concat(s.heading, '; ') FROM sections s
                             WHERE s.page_id = p.id AND s.heading IS NOT NULL), '')
            FROM pages p LEFT JOIN page_vectors v ON v.page_id = p.id AND v.model = ?
            WHERE v.page_id IS NULL ORDER BY p.id
        """
        with self._lock:
            rows = self._db.execute(sql, (model,)).fetchall()
        return [(page_id, ". ".join(part for part in parts if part)) for page_id, *parts in rows]

    def store_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        """Store page vectors of `model`; a page's older vector (of any model) is replaced."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO page_vectors (page_id, model, vector) VALUES (?, ?, ?)",
                ((page_id, model, vector) for page_id, vector in vectors),
            )

    def page_vectors(self, model: str) -> list[tuple[int, bytes]]:
        """Return every stored page vector of `model`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT page_id, vector FROM page_vectors WHERE model = ? ORDER BY page_id", (model,)
            )
            return [(int(page_id), bytes(vector)) for page_id, vector in rows.fetchall()]

    def vector_count(self, model: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT count(*) FROM page_vectors WHERE model = ?", (model,)).fetchone()
        return int(row[0])

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


@dataclass(frozen=True)
class _TitleTerms:
    weights: dict[int, dict[str, float]]  # page id -> title stem -> idf
    by_rarest: dict[str, list[int]]  # a title's rarest stem -> pages: a text must name it to name the title


def _idf(frequency: int, total: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """Return an FTS5 OR query of the terms; every term is a quoted string, so no operator can get in.

    A term repeated in the text is repeated in the query: FTS5's BM25 has no query-term weights.
    """
    phrases: list[str] = []
    for term in terms:
        tokens = [token for token in term.tokens if token.isalnum()]
        if tokens:
            phrases.extend(['"' + " ".join(tokens) + '"'] * max(term.count, 1))
    return " OR ".join(phrases)


def _page_key(page_id: int) -> str:
    return f"p{page_id}"


def _keys(page_ids: Iterable[int]) -> str:
    return " OR ".join(_page_key(int(page_id)) for page_id in page_ids)


def _state_row(state: FileState) -> tuple[int, int, str]:
    return state.mtime_ns, state.size, state.sha256
