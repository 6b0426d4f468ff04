"""Storing docs pages in the index file: trees and their files, page, section and link rows, their
full-text rows, and anchors.

The SQL of the write side of `SqliteDocsIndex`; the index holds the lock and the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from communitydesk.docs.links import collect_anchors, redirect_urls
from communitydesk.docs.schemas import FileChange, FileState, PageRecord, RootState
from communitydesk.docs.sqlite_schema import page_key
from communitydesk.docs.urls import UrlRule, UrlStyle


def open_root(db: sqlite3.Connection, path: str, rule: UrlRule) -> RootState:
    """Return a docs tree's row (created on first use) with its files as last indexed; `changed` when its
    URL rule is not the stored one (every page's URLs must then be rebuilt)."""
    row = db.execute("SELECT id, url_base, url_style FROM roots WHERE path = ?", (path,)).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO roots (path, url_base, url_style) VALUES (?, ?, ?)",
            (path, rule.base, rule.style.value),
        )
        root_id, changed = int(cursor.lastrowid or 0), False
    else:
        root_id = int(row[0])
        changed = UrlRule(row[1], UrlStyle(row[2])) != rule
        if changed:
            db.execute(
                "UPDATE roots SET url_base = ?, url_style = ? WHERE id = ?",
                (rule.base, rule.style.value, root_id),
            )
    files = {
        name: FileState(mtime_ns, size, sha256)
        for name, mtime_ns, size, sha256 in db.execute(
            "SELECT path, mtime_ns, size, sha256 FROM files WHERE root_id = ?", (root_id,)
        )
    }
    return RootState(root_id, path, rule, files, changed)


def apply_changes(db: sqlite3.Connection, root_id: int, changes: Iterable[FileChange]) -> bool:
    """Store a tree's changed files and their pages; return whether any page's content changed."""
    changed = False
    for change in changes:
        changed = changed or change.content_changed
        if change.content_changed:
            delete_page(db, root_id, change.path)
        if change.state is None:
            db.execute("DELETE FROM files WHERE root_id = ? AND path = ?", (root_id, change.path))
            continue
        state = change.state
        db.execute(
            "INSERT OR REPLACE INTO files (root_id, path, mtime_ns, size, sha256, redirect_to)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (root_id, change.path, state.mtime_ns, state.size, state.sha256, change.redirect_to),
        )
        if change.page is not None and change.content_changed:
            insert_page(db, root_id, change.page)
    return changed


def insert_page(db: sqlite3.Connection, root_id: int, page: PageRecord) -> None:
    """Store a page: its row, its sections (rows and full text), its links and its full-text row."""
    cursor = db.execute(
        "INSERT INTO pages (root_id, path, url, title, description, stage, group_name)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (root_id, page.path, page.url, page.title, page.description, page.stage, page.group),
    )
    page_id = int(cursor.lastrowid or 0)
    key = page_key(page_id)
    for ordinal, section in enumerate(page.sections):
        cursor = db.execute(
            "INSERT INTO sections (page_id, ordinal, heading, level, anchor, url) VALUES (?, ?, ?, ?, ?, ?)",
            (page_id, ordinal, section.heading, section.level, section.anchor, section.url),
        )
        trail = " / ".join((*section.trail, section.heading)) if section.heading else ""
        db.execute(
            "INSERT INTO sections_fts (rowid, key, headings, body) VALUES (?, ?, ?, ?)",
            (cursor.lastrowid, key, trail, section.text),
        )
    db.executemany(
        "INSERT INTO links (page_id, target_url, text) VALUES (?, ?, ?)",
        [(page_id, link.target_url, link.text) for link in page.links],
    )
    db.execute(
        "INSERT INTO pages_fts (rowid, key, title, description, headings, body) VALUES (?, ?, ?, ?, ?, ?)",
        (
            page_id,
            key,
            page.title,
            page.description or "",
            "\n".join(s.heading for s in page.sections if s.heading),
            "\n\n".join(s.text for s in page.sections),
        ),
    )


def delete_page(db: sqlite3.Connection, root_id: int, path: str) -> None:
    """Remove a page, its sections and its full-text rows (its links go with it: ON DELETE CASCADE)."""
    row = db.execute("SELECT id FROM pages WHERE root_id = ? AND path = ?", (root_id, path)).fetchone()
    if row is None:
        return
    db.execute(
        "DELETE FROM sections_fts WHERE rowid IN (SELECT id FROM sections WHERE page_id = ?)", (row[0],)
    )
    db.execute("DELETE FROM pages_fts WHERE rowid = ?", (row[0],))
    db.execute("DELETE FROM anchors_fts WHERE rowid = ?", (row[0],))
    db.execute("DELETE FROM pages WHERE id = ?", (row[0],))


def refresh_anchors(db: sqlite3.Connection) -> None:
    """Bring every page's link texts and link count up to date with the stored links.

    A link's target may be any page of any tree, indexed before or after it: so this runs once the
    pages are in, over all links (tens of thousands for the GitLab docs: well under a second), and
    rewrites only the pages whose anchors changed.
    """
    pages = dict(db.execute("SELECT url, id FROM pages"))
    redirects = redirect_urls(
        db.execute(
            "SELECT r.url_base, r.url_style, f.path, f.redirect_to FROM files f"
            " JOIN roots r ON r.id = f.root_id WHERE f.redirect_to IS NOT NULL"
        )
    )
    anchors = collect_anchors(db.execute("SELECT page_id, target_url, text FROM links"), pages, redirects)
    stored = db.execute(
        "SELECT p.id, p.inlinks, a.anchors FROM pages p LEFT JOIN anchors_fts a ON a.rowid = p.id"
    ).fetchall()
    for page_id, inlinks, old_text in stored:
        text = anchors.text(page_id)
        if text != (old_text or ""):
            db.execute("DELETE FROM anchors_fts WHERE rowid = ?", (page_id,))
            if text:  # no empty rows: they would shrink the average length
                db.execute("INSERT INTO anchors_fts (rowid, anchors) VALUES (?, ?)", (page_id, text))
        if anchors.inlinks(page_id) != inlinks:
            db.execute("UPDATE pages SET inlinks = ? WHERE id = ?", (anchors.inlinks(page_id), page_id))
