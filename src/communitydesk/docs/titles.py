"""Which pages' titles a text names: the words of every title, weighted by how rare they are."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

from communitydesk.docs.schemas import TitleMatch


@dataclass(frozen=True)
class TitleTerms:
    """Every page's title stems with their idf, and the pages by their title's rarest stem."""

    weights: dict[int, dict[str, float]]  # page id -> title stem -> idf
    by_rarest: dict[str, list[int]]  # a title's rarest stem -> pages: a text must name it to name the title

    @classmethod
    def of(cls, stems: Iterable[tuple[int, str]], idf: dict[str, float]) -> TitleTerms:
        """Return the title terms of (page id, stem) pairs, each stem weighted by `idf` (1 when unknown)."""
        weights: dict[int, dict[str, float]] = {}
        for page_id, stem in stems:
            weights.setdefault(page_id, {})[stem] = idf.get(stem, 1.0)
        by_rarest: dict[str, list[int]] = {}
        for page_id, title in weights.items():
            by_rarest.setdefault(max(title, key=title.__getitem__), []).append(page_id)
        return cls(weights, by_rarest)

    def matches(self, stems: Set[str], page_ids: Iterable[int]) -> dict[int, TitleMatch]:
        """Return how much of each title the stems name: for `page_ids`, and for every page whose whole
        title they name."""
        candidates = set(page_ids)
        named = {page for stem in stems for page in self.by_rarest.get(stem, ())}
        found = {}
        for page_id in candidates | named:
            weights = self.weights.get(page_id, {})
            total = sum(weights.values())
            mentioned = sum(weight for stem, weight in weights.items() if stem in stems)
            if total > 0 and (page_id in candidates or mentioned >= total):
                found[page_id] = TitleMatch(mentioned / total, mentioned)
        return found
