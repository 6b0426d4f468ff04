"""The interface between the docs feature and wherever its full-text index lives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from communitydesk.docs.query import Term
from communitydesk.docs.schemas import (
    FileChange,
    IndexedPage,
    PageHit,
    QueryTerm,
    RootState,
    SectionHit,
    Snippet,
    TitleMatch,
)
from communitydesk.docs.urls import UrlRule

if TYPE_CHECKING:
    from communitydesk.docs.semantic import SemanticRanker


class SearchBackend(Protocol):
    """A docs index: remembers files per docs tree, stores pages and sections, ranks sections for terms."""

    # The semantic extra's page ranking, when it is turned on.
    semantic: SemanticRanker | None

    def open_root(self, path: str, rule: UrlRule) -> RootState:
        """Register a docs tree (or find it) and return what the index knows of its files."""
        ...

    def apply(self, root: RootState, changes: Iterable[FileChange]) -> None:
        """Store new, changed and removed files of a tree, atomically."""
        ...

    def clear(self) -> None:
        """Empty the index: every tree, page and remembered file."""
        ...

    def refresh_anchors(self) -> None:
        """Bring every page's link texts and link count up to date with the stored links (after `apply`)."""
        ...

    def refresh_postings(self) -> None:
        """Store what scoring pages needs of their terms, when pages changed (after `apply`)."""
        ...

    def optimise(self) -> None:
        """Compact the index after a large rebuild (may do nothing)."""
        ...

    def analyse(self, terms: Sequence[Term]) -> list[QueryTerm]:
        """Return the terms the index knows, with document frequencies (unknown terms are dropped)."""
        ...

    def search(
        self, terms: Sequence[QueryTerm], *, limit: int, within: Sequence[int] | None = None
    ) -> list[PageHit]:
        """Return the best pages (of `within`, when given) for any of the terms; higher scores are better."""
        ...

    def best_sections(
        self, page_ids: Sequence[int], terms: Sequence[QueryTerm], *, per_page: int = 1
    ) -> dict[int, list[SectionHit]]:
        """Return each page's best sections for the terms, best first (its first one when none match)."""
        ...

    def title_matches(self, tokens: Sequence[str], page_ids: Sequence[int]) -> dict[int, TitleMatch]:
        """Return how much of each page's title the tokens mention: for `page_ids`, and for every other page
        whose whole title they mention."""
        ...

    def heading_matches(self, terms: Sequence[QueryTerm]) -> dict[int, float]:
        """Return the pages with a section heading naming one of the terms, with those terms' idf sum."""
        ...

    def anchor_matches(self, terms: Sequence[QueryTerm], *, limit: int) -> dict[int, float]:
        """Return the pages whose incoming link texts best match the terms, with their scores."""
        ...

    def snippet(self, section_id: int, terms: Sequence[QueryTerm], *, tokens: int = 24) -> Snippet:
        """Return the part of a section's text that matches the terms, matches marked."""
        ...

    def page_hits(self, page_ids: Sequence[int]) -> list[PageHit]:
        """Return pages by id (score 0), in the order asked."""
        ...

    def pages_to_embed(self, model: str) -> list[tuple[int, str]]:
        """Return the pages without a vector of `model`, with the text to embed."""
        ...

    def store_vectors(self, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
        """Store page vectors of `model`."""
        ...

    def page_vectors(self, model: str) -> list[tuple[int, bytes]]:
        """Return every stored page vector of `model`."""
        ...

    def vector_count(self, model: str) -> int:
        """Return how many pages have a vector of `model`."""
        ...

    def counts(self) -> dict[str, int]:
        """Return how many roots, pages, sections and redirects the index holds."""
        ...

    def pages(self) -> list[IndexedPage]:
        """Return every indexed page, by tree and path."""
        ...

    def close(self) -> None: ...
