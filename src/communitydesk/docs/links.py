"""Links between docs pages: where a link points, and what the pages linking to a page call it.

The words other pages use for a link ("[Gitaly](...)", "[CI/CD variables](...)") are how people name the
page: they are searched as the page's `anchors` field. How many pages link to a page says how central it
is (an overview everyone points to, against a developer note nobody does): a ranking prior.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from communitydesk.docs.markdown import Link
from communitydesk.docs.schemas import LinkRecord
from communitydesk.docs.urls import UrlRule, UrlStyle, resolve_relative

_REDIRECT_HOPS = 5
# Link texts that name nothing: they would make every linked page match "here".
_EMPTY_TEXTS = frozenset({"here", "this", "this page", "link", "docs", "documentation", "more", "read more"})


def link_records(relative: str, links: Sequence[Link], rule: UrlRule) -> tuple[LinkRecord, ...]:
    """Return a page's links with absolute target URLs: relative `.md` paths through the tree's URL rule,
    http(s) URLs as written; links to anchors on the same page, images and other files are left out."""
    records = []
    for link in links:
        if link.text.lower() in _EMPTY_TEXTS:
            continue
        target = link.target
        if target.startswith(("http://", "https://")):
            records.append(LinkRecord(link.text, _without_fragment(target)))
            continue
        if "://" in target or target.startswith(("#", "/", "mailto:")):
            continue
        path = resolve_relative(relative, target)
        if path and path.endswith(".md"):
            records.append(LinkRecord(link.text, rule.page_url(path)))
    return tuple(records)


def url_candidates(url: str) -> list[str]:
    """Return the spellings of a URL a page may be indexed under (`/x.html`, `/x/index.html`, `/x/`)."""
    candidates = [url]
    if url.endswith("/index.html"):
        candidates.append(url[: -len("index.html")])
    elif url.endswith(".html"):
        candidates.append(url[: -len(".html")] + "/")
    elif not url.endswith("/"):
        candidates.append(url + "/")
    return candidates


@dataclass
class Anchors:
    """What links say about each page: the distinct texts linking to it and how many pages link to it."""

    texts: dict[int, dict[str, str]] = field(default_factory=dict)  # page id -> lowercased -> as written
    sources: dict[int, set[int]] = field(default_factory=dict)  # page id -> linking page ids

    def text(self, page_id: int) -> str:
        return "\n".join(self.texts.get(page_id, {}).values())

    def inlinks(self, page_id: int) -> int:
        return len(self.sources.get(page_id, ()))


def collect_anchors(
    links: Iterable[tuple[int, str, str]], pages: Mapping[str, int], redirects: Mapping[str, str]
) -> Anchors:
    """Resolve (source page id, target URL, text) links to pages, following redirect stubs."""
    anchors = Anchors()
    for source, target_url, text in links:
        target = resolve_page(target_url, pages, redirects)
        if target is None or target == source:
            continue
        anchors.texts.setdefault(target, {}).setdefault(text.lower(), text)
        anchors.sources.setdefault(target, set()).add(source)
    return anchors


def resolve_page(url: str, pages: Mapping[str, int], redirects: Mapping[str, str]) -> int | None:
    """Return the id of the page a URL shows, following up to a few redirect stubs; None if none."""
    for _ in range(_REDIRECT_HOPS):
        candidates = url_candidates(url)
        found = next((pages[c] for c in candidates if c in pages), None)
        if found is not None:
            return found
        moved = next((redirects[c] for c in candidates if c in redirects), None)
        if moved is None:
            return None
        url = moved
    return None


def redirect_urls(stubs: Iterable[tuple[str, str, str, str]]) -> dict[str, str]:
    """Map redirect stubs' URLs to their targets' from (url base, url style, stub path, target) rows."""
    redirects = {}
    for base, style, path, target in stubs:
        rule = UrlRule(base, UrlStyle(style))
        redirects[rule.page_url(path)] = target if "://" in target else rule.page_url(target)
    return redirects


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
