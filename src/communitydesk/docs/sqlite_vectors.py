"""Page vectors of the semantic extra, stored in the docs index file (`page_vectors`).

The SQL behind `SqliteDocsIndex`'s vector methods; the index holds the lock and the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_TO_EMBED = """
    SELECT p.id, p.title, coalesce(p.description, ''),
           coalesce((SELECT group_concat(s.heading, '; ') FROM sections s
                     WHERE s.page_id = p.id AND s.heading IS NOT NULL), '')
    FROM pages p LEFT JOIN page_vectors v ON v.page_id = p.id AND v.model = ?
    WHERE v.page_id IS NULL ORDER BY p.id
"""


def pages_to_embed(db: sqlite3.Connection, model: str) -> list[tuple[int, str]]:
    """Return the pages without a vector of `model`, each with the text to embed (title, description,
    headings: what the page is about, short enough for the model)."""
    rows = db.execute(_TO_EMBED, (model,)).fetchall()
    return [(page_id, ". ".join(part for part in parts if part)) for page_id, *parts in rows]


def store(db: sqlite3.Connection, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
    """Store page vectors of `model`; a page's older vector (of any model) is replaced."""
    db.executemany(
        "INSERT OR REPLACE INTO page_vectors (page_id, model, vector) VALUES (?, ?, ?)",
        ((page_id, model, vector) for page_id, vector in vectors),
    )


def of_model(db: sqlite3.Connection, model: str) -> list[tuple[int, bytes]]:
    """Return every stored page vector of `model`."""
    rows = db.execute("SELECT page_id, vector FROM page_vectors WHERE model = ? ORDER BY page_id", (model,))
    return [(int(page_id), bytes(vector)) for page_id, vector in rows.fetchall()]


def count(db: sqlite3.Connection, model: str) -> int:
    """Return how many pages have a vector of `model`."""
    return int(db.execute("SELECT count(*) FROM page_vectors WHERE model = ?", (model,)).fetchone()[0])
