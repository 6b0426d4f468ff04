"""One open docs index per running app, shared by requests and reopened when the file is rebuilt.

Opening the index loads its vocabulary, which is too slow to repeat for every ticket page on a large docs
tree; the web app keeps one handle and the CLI opens the index for each command.
"""

from __future__ import annotations

import threading
from pathlib import Path

from communitydesk.docs.sqlite_backend import SqliteDocsIndex


class IndexHandle:
    """Open the docs index file on first use; None while it is missing or holds no pages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._index: SqliteDocsIndex | None = None
        self._stamp: tuple[int, int] | None = None

    def get(self) -> SqliteDocsIndex | None:
        """Return the open index, reopened when the file changed since; None when there are no docs."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None  # never create the file from a page view: `desk docs index` builds it
        stamp = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._index is None or stamp != self._stamp:
                # An index that is in use elsewhere is left for the garbage collector, not closed under it.
                self._index, self._stamp = SqliteDocsIndex(self.path), stamp
            index = self._index
        return index if index.counts()["pages"] else None

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
