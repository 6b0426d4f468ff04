"""FTS5's page BM25 computed in memory, over term frequencies read from the FTS5 index itself.

FTS5 evaluates bm25() for every row matching any phrase of an OR query, walking every instance of every
phrase in it: with the 16 terms of a long text that is nearly every page, and half of a suggestion's time.
The same formula over one posting per (term, page), held in numpy arrays, costs a fraction of that.

The postings come from the index's own instance list, so every stem is the tokenizer's (porter unicode61):
no second tokenizer to keep in step. The `key` column (the page token) is left out of them: a query word
such as "p1" should not match a page by its key. The scores are FTS5's for a query restricted to the text
columns (what `search(..., within=...)` has always run); they differ from an unrestricted FTS5 query only
for words that are also page keys.
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
_BATCH = 256  # terms read at a time: a few common terms have 100,000 instances; this bounds the memory
# The instance list names columns; a code per column (key: 0) fits in the low bits of one integer per
# instance, so a term's instances travel as one string of integers.
_INSTANCES = """
    SELECT term, count(*), group_concat(doc * 8 + CASE col WHEN 'title' THEN 1 WHEN 'description' THEN 2
                                                 WHEN 'headings' THEN 3 WHEN 'body' THEN 4 ELSE 0 END)
    FROM temp.pages_instances GROUP BY term
"""


@dataclass(frozen=True)
class PagePostings:
    """Every text term's pages with its weighted frequency in each, and each page's BM25 length norm."""

    offsets: dict[str, tuple[int, int]]  # stem -> its slice of `pages` and `frequencies`
    pages: NDArray[np.int32]  # page ids, by term and then page
    frequencies: NDArray[np.float64]  # sum over the term's instances in the page of their column's weight
    length_norms: NDArray[np.float64]  # by page id: k1 * (1 - b + b * page length / average length)
    rows: int  # pages in the index

    @property
    def size(self) -> int:
        """Return the length of an array indexed by page id."""
        return len(self.length_norms)

    def term_scores(self, stem: str) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
        """Return the pages holding a stem and its BM25 score in each (FTS5's formula, term by term)."""
        start, end = self.offsets.get(stem, (0, 0))
        pages, frequencies = self.pages[start:end], self.frequencies[start:end]
        idf = math.log((self.rows - (end - start) + 0.5) / ((end - start) + 0.5))
        idf = idf if idf > 0.0 else 1e-6
        return pages, idf * ((frequencies * (_K1 + 1.0)) / (frequencies + self.length_norms[pages]))


def load_postings(db: sqlite3.Connection, column_weights: Sequence[float]) -> PagePostings:
    """Read the postings of `pages_fts` through `temp.pages_instances` (an fts5vocab instance table).

    `column_weights`: of title, description, headings and body. About a second for the GitLab docs.
    """
    weights = np.array([0.0, *column_weights], dtype=np.float64)
    rows, last_id = db.execute("SELECT count(*), coalesce(max(rowid), 0) FROM pages_fts").fetchone()
    lengths = np.zeros(int(last_id) + 1, dtype=np.int64)
    stems: list[str] = []
    term_parts: list[NDArray[np.int32]] = []
    page_parts: list[NDArray[np.int32]] = []
    frequency_parts: list[NDArray[np.float64]] = []
    cursor = db.execute(_INSTANCES)
    while batch := cursor.fetchmany(_BATCH):
        counts = np.array([count for _, count, _ in batch], dtype=np.int64)
        codes = np.fromstring(",".join(codes for _, _, codes in batch), dtype=np.int64, sep=",")
        terms = np.repeat(np.arange(len(stems), len(stems) + len(batch), dtype=np.int32), counts)
        stems.extend(stem for stem, _, _ in batch)
        pages, columns = (codes >> 3).astype(np.int32), codes & 7
        del codes
        lengths += np.bincount(pages, minlength=len(lengths))  # FTS5's length: all columns, key too
        text = columns > 0
        terms, pages, frequencies = terms[text], pages[text], weights[columns[text]]
        if not len(terms):
            continue
        if np.any((terms[1:] == terms[:-1]) & (pages[1:] < pages[:-1])):  # they come by term and page
            order = np.lexsort((pages, terms))
            terms, pages, frequencies = terms[order], pages[order], frequencies[order]
        starts = np.flatnonzero(np.r_[True, (terms[1:] != terms[:-1]) | (pages[1:] != pages[:-1])])
        term_parts.append(terms[starts])
        page_parts.append(pages[starts])
        frequency_parts.append(np.add.reduceat(frequencies, starts))
    term_of = np.concatenate(term_parts) if term_parts else np.zeros(0, dtype=np.int32)
    bounds = np.searchsorted(term_of, np.arange(len(stems) + 1)).tolist()
    average_length = lengths.sum() / rows if rows else 1.0
    return PagePostings(
        offsets={
            stem: (bounds[i], bounds[i + 1]) for i, stem in enumerate(stems) if bounds[i + 1] > bounds[i]
        },
        pages=np.concatenate(page_parts) if page_parts else np.zeros(0, dtype=np.int32),
        frequencies=np.concatenate(frequency_parts) if frequency_parts else np.zeros(0, dtype=np.float64),
        length_norms=_K1 * (1 - _B + _B * lengths / average_length),
        rows=int(rows),
    )
