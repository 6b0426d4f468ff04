"""The docs index file's tables: plain tables for trees, files, pages and sections, FTS5 tables to search.

The index is derived data: a file with another schema version is emptied and rebuilt, never migrated.
"""

from __future__ import annotations

SCHEMA_VERSION = "6"
TOKENIZER = "porter unicode61 remove_diacritics 2"
TABLES = (
    "pages_vocab",
    "pages_fts",
    "sections_fts",
    "anchors_fts",
    "page_vectors",
    "page_postings",
    "sections",
    "links",
    "pages",
    "files",
    "roots",
    "meta",
)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE roots (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, url_base TEXT NOT NULL, url_style TEXT NOT NULL
);
CREATE TABLE files (
    root_id INTEGER NOT NULL REFERENCES roots (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    redirect_to TEXT,
    PRIMARY KEY (root_id, path)
);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    root_id INTEGER NOT NULL REFERENCES roots (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    stage TEXT,
    group_name TEXT,
    inlinks INTEGER NOT NULL DEFAULT 0,
    UNIQUE (root_id, path)
);
CREATE INDEX pages_url ON pages (url);
CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    heading TEXT,
    level INTEGER NOT NULL,
    anchor TEXT,
    url TEXT NOT NULL
);
CREATE INDEX sections_page ON sections (page_id);
CREATE TABLE links (
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    target_url TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX links_page ON links (page_id);
CREATE VIRTUAL TABLE pages_fts USING fts5 (key, title, description, headings, body, tokenize = '{TOKENIZER}');
CREATE VIRTUAL TABLE pages_vocab USING fts5vocab (pages_fts, 'row');
CREATE VIRTUAL TABLE sections_fts USING fts5 (key, headings, body, tokenize = '{TOKENIZER}');
-- The texts of the links to each page (rowid: the page's id), searched on their own: in the page's row
-- they would share its idf and length, and a page's few link words would drown in its body.
CREATE VIRTUAL TABLE anchors_fts USING fts5 (anchors, tokenize = '{TOKENIZER}');
-- The pages' term counts as read from pages_fts (see postings.py), stored by the indexer: reading them
-- from FTS5 takes a second. One row, of the `pages_version` in meta it was read at (a stale row is unused).
CREATE TABLE page_postings (
    pages_version INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    stems TEXT NOT NULL,
    bounds BLOB NOT NULL,
    pages BLOB NOT NULL,
    counts BLOB NOT NULL,
    lengths BLOB NOT NULL
);
CREATE TABLE page_vectors (
    page_id INTEGER PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
"""


def page_key(page_id: int) -> str:
    """Return the token the FTS5 tables' `key` column holds for a page: a query can name pages with it."""
    return f"p{page_id}"
