"""Public URLs of docs pages and sections, from a page's path inside its docs tree."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from enum import StrEnum

# Pages that stand for their folder (Hugo section and bundle pages).
INDEX_NAMES = ("_index", "index")


class UrlStyle(StrEnum):
    """How a Markdown path becomes a URL path."""

    DIRECTORY = "directory"  # a/b.md -> a/b/, a/_index.md -> a/ (GitLab docs, Hugo)
    HTML = "html"  # a/b.md -> a/b.html, a/_index.md -> a/index.html
    MARKDOWN = "markdown"  # a/b.md -> a/b.md (a forge's file view)


@dataclass(frozen=True)
class UrlRule:
    """The rule of one docs tree: a base URL plus a style, e.g. https://docs.gitlab.com/ + directory."""

    base: str = "/"
    style: UrlStyle = UrlStyle.DIRECTORY

    def page_url(self, path: str) -> str:
        """Return the public URL of the page at `path` (relative to the tree, `/`-separated)."""
        return self._base() + self._url_path(path)

    def _base(self) -> str:
        return self.base if self.base.endswith("/") else self.base + "/"

    def _url_path(self, path: str) -> str:
        if self.style is UrlStyle.MARKDOWN:
            return path
        folder, name = posixpath.split(path)
        stem = name[: -len(".md")] if name.endswith(".md") else name
        if self.style is UrlStyle.HTML:
            return posixpath.join(folder, "index.html" if stem in INDEX_NAMES else stem + ".html")
        if stem in INDEX_NAMES:
            return folder + "/" if folder else ""
        return posixpath.join(folder, stem) + "/"


def section_url(page_url: str, anchor: str | None) -> str:
    """Return the URL of a section of a page (the page itself when it has no anchor)."""
    return f"{page_url}#{anchor}" if anchor else page_url


def resolve_relative(path: str, target: str) -> str | None:
    """Resolve a redirect target written relative to the page at `path`; None if it leaves the tree."""
    if "://" in target or target.startswith("/"):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target.split("#", 1)[0]))
    return None if resolved.startswith("..") else resolved
