"""FTS5's page BM25 computed in memory, over term frequencies read from the FTS5 index itself.

FTS5 evaluates bm25() for every row matching any phrase of an OR query, walking every instance of every
phrase in it: with the 16 terms of a long text that is nearly every page, and half of a suggestion's time.
The same formula over one posting per (term, page), held in numpy arrays, costs a fraction of that.

The postings come from the index's own instance list, so every stem is the tokenizer's (porter unicode61):
no second tokenizer to keep in step. Reading that list takes about a second for the GitLab docs, so the
indexer stores the result in the index file (`page_postings`), where opening the index finds it in a few
hundredths of a second. The `key` column (the page token) is left out: a query word such as "p1" should not
match a page by its key. The scores are FTS5's for a query restricted to the text columns (what
`search(..., within=...)` has always run); they differ from an unrestricted query only for words that are
also page keys.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# FTS5's bm25() constants (fts5_aux.c).
_K1 = 1.2
_B = 0.75
_TEXT_COLUMNS = 4  # title, description, headings, body: codes 1 to 4 (key: 0)
_BATCH = 64  # terms read at a time: a few common terms have 100,000 instances; this bounds the memory
# The instance list names columns; a code per column fits in the low bits of one integer per instance, so
# a term's instances travel as one string of integers.
_INSTANCES = """
    SELECT term, count(*), group_concat(doc * 8 + CASE col WHEN 'title' THEN 1 WHEN 'description' THEN 2
                                                 WHEN 'headings' THEN 3 WHEN 'body' THEN 4 ELSE 0 END)
    FROM temp.pages_instances GROUP BY term
"""


@dataclass(frozen=True)
class TermCounts:
    """How often each term occurs in each page, per text column, and each page's length: what BM25 needs
    of the index, whatever the column weights."""

    stems: list[str]
    bounds: NDArray[np.int64]  # term i's postings: pages[bounds[i]:bounds[i + 1]]
    pages: NDArray[np.int32]  # page ids, by term and then page
    counts: NDArray[np.int32]  # per posting: the term's instances in title, description, headings, body
    lengths: NDArray[np.int64]  # by page id: tokens in all columns (the key too, as FTS5 counts them)
    rows: int  # pages in the index

    def to_row(self) -> tuple[int, str, memoryview, memoryview, memoryview, memoryview]:
        """Return the counts as a `page_postings` row (after its version); the blobs are views, not copies."""
        return (
            self.rows,
            "\n".join(self.stems),
            np.ascontiguousarray(self.bounds, dtype="<i8").data,
            np.ascontiguousarray(self.pages, dtype="<i4").data,
            np.ascontiguousarray(self.counts, dtype="<i4").data,
            np.ascontiguousarray(self.lengths, dtype="<i8").data,
        )

    @classmethod
    def from_row(
        cls, rows: int, stems: str, bounds: bytes, pages: bytes, counts: bytes, lengths: bytes
    ) -> TermCounts:
        """Return the counts a `page_postings` row holds."""
        return cls(  # the arrays are views of the row's bytes: read-only, no copies
            stems=stems.split("\n") if stems else [],
            bounds=np.frombuffer(bounds, dtype=np.dtype("<i8")),
            pages=np.frombuffer(pages, dtype=np.dtype("<i4")),
            counts=np.frombuffer(counts, dtype=np.dtype("<i4")).reshape(-1, _TEXT_COLUMNS),
            lengths=np.frombuffer(lengths, dtype=np.dtype("<i8")),
            rows=rows,
        )


def read_term_counts(db: sqlite3.Connection) -> TermCounts:
    """Read the term counts of `pages_fts` through `temp.pages_instances` (an fts5vocab instance table)."""
    rows, last_id = db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM pages_fts").fetchone()
    # The arrays are filled in place (one concatenation at the end would hold everything twice). Sized by
    # the row vocabulary, which counts key-column postings too: a few more than needed.
    terms_known, postings_known = db.execute(
        "SELECT count(*), coalesce(sum(doc), 0) FROM pages_vocab"
    ).fetchone()
    bounds = np.zeros(terms_known + 1, dtype=np.int64)
    pages = np.zeros(postings_known, dtype=np.int32)
    counts = np.zeros((postings_known, _TEXT_COLUMNS), dtype=np.int32)
    lengths = np.zeros(int(last_id) + 1, dtype=np.int64)
    stems: list[str] = []
    filled = 0
    cursor = db.execute(_INSTANCES)
    while batch := cursor.fetchmany(_BATCH):
        first = len(stems)
        stems.extend(stem for stem, _, _ in batch)
        instances = np.array([count for _, count, _ in batch], dtype=np.int64)
        codes = np.fromstring(",".join(codes for _, _, codes in batch), dtype=np.int64, sep=",")
        term_ids = np.repeat(np.arange(first, len(stems), dtype=np.int32), instances)
        page_ids, columns = (codes >> 3).astype(np.int32), (codes & 7).astype(np.int32)
        del codes
        lengths += np.bincount(page_ids, minlength=len(lengths))
        text = columns > 0
        term_ids, page_ids, columns = term_ids[text], page_ids[text], columns[text]
        if np.any((term_ids[1:] == term_ids[:-1]) & (page_ids[1:] < page_ids[:-1])):  # by term and page
            order = np.lexsort((page_ids, term_ids))
            term_ids, page_ids, columns = term_ids[order], page_ids[order], columns[order]
        changes = (term_ids[1:] != term_ids[:-1]) | (page_ids[1:] != page_ids[:-1])
        starts = np.flatnonzero(np.r_[True, changes]) if len(term_ids) else np.zeros(0, dtype=np.int64)
        if len(stems) + 1 > len(bounds) or filled + len(starts) > len(pages):  # the index changed meanwhile
            bounds = np.concatenate([bounds, np.zeros(len(stems) + 1, dtype=np.int64)])
            pages = np.concatenate([pages, np.zeros(len(pages) + len(starts), dtype=np.int32)])
            counts = np.concatenate([counts, np.zeros((len(counts) + len(starts), _TEXT_COLUMNS), np.int32)])
        end = filled + len(starts)
        bounds[first + 1 : len(stems) + 1] = filled + np.searchsorted(
            term_ids[starts], np.arange(first + 1, len(stems) + 1), side="left"
        )
        pages[filled:end] = page_ids[starts]
        if len(starts):
            one_hot = (columns[:, None] == np.arange(1, _TEXT_COLUMNS + 1, dtype=np.int32)).astype(np.int32)
            counts[filled:end] = np.add.reduceat(one_hot, starts, axis=0)
        filled = end
    return TermCounts(
        stems=stems,
        bounds=bounds[: len(stems) + 1],
        pages=pages[:filled],
        counts=counts[:filled],
        lengths=lengths,
        rows=int(rows),
    )


@dataclass(frozen=True)
class PagePostings:
    """Every text term's pages with its weighted frequency in each, and each page's BM25 length norm."""

    offsets: dict[str, tuple[int, int]]  # stem -> its slice of `pages` and `frequencies`
    pages: NDArray[np.int32]  # page ids, by term and then page
    frequencies: NDArray[np.float64]  # sum over the term's instances in the page of their column's weight
    length_norms: NDArray[np.float64]  # by page id: k1 * (1 - b + b * page length / average length)
    rows: int  # pages in the index

    @classmethod
    def weighted(cls, counts: TermCounts, column_weights: Sequence[float]) -> PagePostings:
        """Return the postings of the counts with column weights (title, description, headings, body)."""
        bounds = counts.bounds.tolist()
        average_length = counts.lengths.sum() / counts.rows if counts.rows else 1.0
        return cls(
            offsets={
                stem: (bounds[i], bounds[i + 1])
                for i, stem in enumerate(counts.stems)
                if bounds[i + 1] > bounds[i]
            },
            pages=counts.pages,
            frequencies=_weighted_sum(counts.counts, column_weights),
            length_norms=_K1 * (1 - _B + _B * counts.lengths / average_length),
            rows=counts.rows,
        )

    @property
    def size(self) -> int:
        """Return the length of an array indexed by page id."""
        return len(self.length_norms)

    def term_scores(self, stem: str) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Return the pages holding a stem and its BM25 score in each (FTS5's formula, term by term)."""
        start, end = self.offsets.get(stem, (0, 0))
        pages, frequencies = self.pages[start:end], self.frequencies[start:end]
        idf = fts5_idf(end - start, self.rows)
        return pages, idf * ((frequencies * (_K1 + 1.0)) / (frequencies + self.length_norms[pages]))


def fts5_idf(frequency: int, rows: int) -> float:
    """Return the idf FTS5's bm25() gives a term in `frequency` of `rows` rows (floored as it does)."""
    idf = math.log((rows - frequency + 0.5) / (frequency + 0.5))
    return idf if idf > 0.0 else 1e-6


def _weighted_sum(counts: NDArray[np.int32], weights: Sequence[float]) -> NDArray[np.float64]:
    """Return each row's counts times the column weights, summed (column by column: no float copy of all)."""
    total = np.zeros(len(counts), dtype=np.float64)
    for column, weight in enumerate(weights):
        total += counts[:, column] * float(weight)
    return total


def pages_version(db: sqlite3.Connection) -> int:
    """Return the index's pages version: it goes up with every `apply` that changes pages."""
    row = db.execute("SELECT value FROM meta WHERE key = 'pages_version'").fetchone()
    return int(row[0]) if row else 0


def stored_term_counts(db: sqlite3.Connection) -> TermCounts | None:
    """Return the stored term counts when they are of the current pages, else None."""
    row = db.execute(
        "SELECT rows, stems, bounds, pages, counts, lengths FROM page_postings WHERE pages_version = ?",
        (pages_version(db),),
    ).fetchone()
    return TermCounts.from_row(*row) if row else None


def store_term_counts(db: sqlite3.Connection) -> TermCounts | None:
    """Read the term counts from FTS5 and store them, unless those of the current pages are stored;
    return the new counts (None when nothing changed)."""
    version = pages_version(db)
    stored = db.execute("SELECT pages_version FROM page_postings").fetchone()
    if stored is not None and stored[0] == version:
        return None
    counts = read_term_counts(db)
    db.execute("DELETE FROM page_postings")
    db.execute(
        "INSERT INTO page_postings (pages_version, rows, stems, bounds, pages, counts, lengths)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (version, *counts.to_row()),
    )
    return counts


def phrase_scores(
    db: sqlite3.Connection, tokens: Sequence[str], column_weights: Sequence[float], size: int
) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Return the pages holding a phrase and its BM25 score in each, from FTS5 (which has the positions).

    BM25 is a sum over phrases, and a phrase's score in a page does not depend on the other phrases: so
    one query per phrase gives what the whole OR query would. Phrases match few pages: this is cheap.
    """
    expression = '"' + " ".join(tokens) + '"'  # letters and digits only: nothing else can get in
    restricted = f"{{title description headings body}} : ({expression})"  # as the postings: no key
    rows = db.execute(
        "SELECT rowid, -bm25(pages_fts, 0, ?, ?, ?, ?) FROM pages_fts WHERE pages_fts MATCH ?",
        (*column_weights, restricted),
    ).fetchall()
    pages = np.array([page for page, _ in rows if page < size], dtype=np.int32)
    return pages, np.array([score for page, score in rows if page < size], dtype=np.float64)
