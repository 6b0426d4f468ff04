"""Plain values the docs index and suggestions pass around (no database types leak out of the backend)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal

from communitydesk.docs.urls import UrlRule

# Highlight markers inside snippets: private-use characters that never occur in docs text.
MARK_START = "\ue000"
MARK_END = "\ue001"

ConfidenceLevel = Literal["high", "medium", "low"]
HIGH_CONFIDENCE = 0.7
LOW_CONFIDENCE = 0.4  # below: probably no page answers the text


@dataclass(frozen=True)
class FileState:
    """What change detection remembers of a file."""

    mtime_ns: int
    size: int
    sha256: str


@dataclass(frozen=True)
class SectionRecord:
    heading: str | None
    level: int
    anchor: str | None
    url: str
    trail: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PageRecord:
    path: str
    url: str
    title: str
    description: str | None
    stage: str | None
    group: str | None
    sections: tuple[SectionRecord, ...]
    links: tuple[LinkRecord, ...] = ()


@dataclass(frozen=True)
class LinkRecord:
    """A link from a page to a URL (a docs page's, when it resolves to one), with the link's text."""

    text: str
    target_url: str


@dataclass(frozen=True)
class FileChange:
    """One file's new state: a page, a redirect stub (not indexed), or gone (`state` None)."""

    path: str
    state: FileState | None
    page: PageRecord | None = None
    redirect_to: str | None = None
    content_changed: bool = True


@dataclass(frozen=True)
class RootState:
    """A docs tree as the index knows it."""

    id: int
    path: str
    rule: UrlRule
    files: dict[str, FileState]
    rule_changed: bool


@dataclass(frozen=True)
class QueryTerm:
    """A search term with its corpus statistics: tokens are letters and digits only."""

    tokens: tuple[str, ...]
    count: int
    document_frequency: int
    documents: int
    idf: float

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class TitleMatch:
    """How much of a page's title a text mentions, by term weight (idf): a short title named is strong."""

    coverage: float  # share of the title's weight the text mentions, 0..1
    weight: float  # the weight (sum of idf) of the title terms the text mentions


@dataclass(frozen=True)
class IndexedPage:
    """A page as the index holds it."""

    root: str
    path: str
    url: str
    title: str
    stage: str | None
    group: str | None


@dataclass(frozen=True)
class SectionHit:
    """A section that matches a query; scores are higher for better matches."""

    section_id: int
    heading: str | None
    anchor: str | None
    url: str
    score: float


@dataclass(frozen=True)
class PageHit:
    """A page that matches a query."""

    page_id: int
    root: str
    path: str
    url: str
    title: str
    stage: str | None
    group: str | None
    score: float
    inlinks: int = 0  # how many other pages link to it

    def with_score(self, score: float) -> PageHit:
        """Return this page with another score (dataclasses.replace, at a hundred pages a suggestion, cost
        a tenth of its time)."""
        return PageHit(
            self.page_id,
            self.root,
            self.path,
            self.url,
            self.title,
            self.stage,
            self.group,
            score,
            self.inlinks,
        )


@dataclass(frozen=True)
class Snippet:
    """Text around the matched terms; matches sit between MARK_START and MARK_END."""

    marked: str

    @property
    def text(self) -> str:
        return self.marked.replace(MARK_START, "").replace(MARK_END, "")

    def html(self) -> str:
        """Return the snippet as safe HTML with <mark> around matches."""
        escaped = html.escape(self.marked, quote=False)
        return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")

    def parts(self) -> list[tuple[str, bool]]:
        """Return the snippet as (text, is a match) pieces, in order."""
        pieces: list[tuple[str, bool]] = []
        for chunk in self.marked.split(MARK_START):
            match, _, rest = chunk.partition(MARK_END) if MARK_END in chunk else ("", "", chunk)
            pieces.extend(piece for piece in ((match, True), (rest, False)) if piece[0])
        return pieces


@dataclass(frozen=True)
class Suggestion:
    """A docs page that may answer a text, with its best section."""

    root: str
    path: str
    page_url: str
    url: str
    title: str
    section: str | None
    anchor: str | None
    stage: str | None
    group: str | None
    score: float
    snippet: Snippet

    def as_contract(self) -> dict[str, Any]:
        """Return the JSON shape of `desk docs suggest --batch`."""
        return {
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "section": self.section,
            "stage": self.stage,
            "group": self.group,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Suggestions:
    """The answer to "which docs answer this text?": pages best first, and how sure we are."""

    confidence: float
    suggestions: tuple[Suggestion, ...] = ()
    terms: tuple[str, ...] = field(default=())

    @property
    def level(self) -> ConfidenceLevel:
        if self.confidence >= HIGH_CONFIDENCE:
            return "high"
        return "medium" if self.confidence >= LOW_CONFIDENCE else "low"


@dataclass
class IndexReport:
    """What one indexing run did, per file."""

    roots: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    redirects: int = 0
    skipped: int = 0
    seconds: float = 0.0
    changed_paths: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return self.added + self.updated + self.removed
