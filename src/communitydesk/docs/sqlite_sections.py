"""Sections of docs pages in the index file: the best ones of a few pages for a text, and their snippets.

Also the FTS5 query text every full-text search of the index builds from the terms.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence

from communitydesk.docs.schemas import MARK_END, MARK_START, QueryTerm, SectionHit, Snippet
from communitydesk.docs.sqlite_schema import page_key

_BODY_COLUMN = 2  # of sections_fts, for snippets
_FENCE_MARK = re.compile(r"(?:`{3,}|~{3,})[\w+-]*")


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


def page_keys(page_ids: Iterable[int]) -> str:
    return " OR ".join(page_key(int(page_id)) for page_id in page_ids)


def best(
    db: sqlite3.Connection,
    page_ids: Sequence[int],
    terms: Sequence[QueryTerm],
    headings_weight: float,
    per_page: int = 1,
) -> dict[int, list[SectionHit]]:
    """Return each page's best sections for the terms, best first (its first one when none match)."""
    expression = match_expression(terms)
    if not expression or not page_ids:
        return {}
    expression = f"{{headings body}} : ({expression}) AND key : ({page_keys(page_ids)})"
    sql = """
        SELECT s.page_id, s.id, s.heading, s.anchor, s.url, -bm25(sections_fts, 0, ?, 1) AS score
        FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid
        WHERE sections_fts MATCH ? ORDER BY score DESC
    """
    found: dict[int, list[SectionHit]] = {}
    rows = db.execute(sql, (headings_weight, expression))
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
        rows = db.execute(first_sections, unmatched)
        for page_id, *section in rows.fetchall():
            found[page_id] = [SectionHit(*section)]
    return found


def snippet(db: sqlite3.Connection, section_id: int, terms: Sequence[QueryTerm], tokens: int) -> Snippet:
    """Return the part of a section's text that matches the terms, matches marked."""
    expression = match_expression(terms)
    row = None
    if expression:
        row = db.execute(
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
        row = db.execute(
            "SELECT substr(body, 1, 200) FROM sections_fts WHERE rowid = ?", (section_id,)
        ).fetchone()
    # Code fence lines (```shell) are Markdown, not text a reader should see in a one-line excerpt.
    return Snippet(" ".join(_FENCE_MARK.sub(" ", str(row[0])).split()) if row else "")
