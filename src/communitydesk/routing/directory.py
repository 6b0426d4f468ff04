"""The router's read-only view of the directory: stages, groups, categories, people, routes, past answers.

Built once per `Router` from the database (routing.service.load_router), so a batch routes without queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from communitydesk.routing.lexicon import words


@dataclass(frozen=True)
class StageInfo:
    key: str
    name: str
    channel: str | None
    people: dict[str, object]


@dataclass(frozen=True)
class GroupInfo:
    key: str
    name: str
    stage: str
    channel: str | None
    people: dict[str, object]


@dataclass(frozen=True)
class CategoryInfo:
    key: str
    name: str
    group: str | None
    stage: str | None
    docs_path: str | None  # the category's documentation page as a docs path prefix
    feature_pages: frozenset[str] = frozenset()  # docs pages its features (features.yml) link to


@dataclass(frozen=True)
class PersonInfo:
    key: str
    name: str
    role: str | None
    slack_user_id: str | None
    team_member: bool
    expertise: dict[str, list[str]]


@dataclass(frozen=True)
class RouteInfo:
    key: str
    kind: str
    topic: str
    channel: str | None
    slack_mention: str | None
    people: tuple[str, ...]
    pattern: re.Pattern[str] | None
    attributes: dict[str, object]


@dataclass(frozen=True)
class PastAnswer:
    ticket_id: int
    person_key: str
    stage: str | None
    group: str | None
    words: frozenset[str]


def docs_path(value: str) -> str:
    """Return a docs URL or path as a comparable path: no host, no /ee/ prefix, no doc/ or .md/.html."""
    path = urlsplit(value).path if "://" in value else value
    path = path.strip("/")
    for prefix in ("ee/", "doc/"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    for suffix in ("/_index.md", "/index.html", ".md", ".html"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path + "/"


def docs_path_prefix(url: object) -> str | None:
    """Return a category's or feature's documentation URL as a docs path prefix, or None.

    Compared with the public URLs of indexed pages, whatever their host: a path no page has matches none.
    """
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "/")):
        return None
    path = docs_path(url)
    return path if path.strip("/") else None


def route_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """Return a whole-word, case-insensitive pattern for a route's phrases."""
    phrases = [" ".join(term.lower().split()) for term in terms if term.strip()]
    if not phrases:
        return None
    alternatives = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


@lru_cache(maxsize=20_000)
def word_set(text: str) -> frozenset[str]:
    """Return a past answer's words (cached: every router load reads every accepted answer)."""
    return frozenset(Counter(words(text)))
