"""Match a text against the directory's own words: category names, descriptions and feature lists.

Each category is a small document (its name and feature labels weigh more than its description); texts are
scored with BM25 over these documents, so a word every category uses says little.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from communitydesk.docs.query import STOPWORDS, extract_terms

_K1, _B = 1.2, 0.75
# How many times a field's words count: a category's name and feature labels name it best.
_NAME_WEIGHT, _FEATURE_WEIGHT, _DESCRIPTION_WEIGHT = 3, 2, 1
# Words of the directory's own prose that name no product area.
_DIRECTORY_STOPWORDS = frozenset(
    {
        "gitlab", "devops", "feature", "features", "user", "users", "team", "teams", "allow", "allows",
        "enable", "enables", "provide", "provides", "ability", "able", "support", "supports", "management",
        "manage",
    }
)  # fmt: skip


def stem(token: str) -> str:
    """Return a crude singular: enough to match 'approvals' with 'approval' in both directions."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def words(text: str) -> list[str]:
    """Return a text's content words, stemmed, in order (phrases of identifiers as their parts)."""
    result: list[str] = []
    for term in extract_terms(text):
        for token in term.tokens if len(term.tokens) == 1 else ():
            if token not in STOPWORDS and token not in _DIRECTORY_STOPWORDS and not token.isdigit():
                result.extend([stem(token)] * term.count)
    return result


@dataclass(frozen=True)
class CategoryDoc:
    key: str
    name: str
    group: str | None
    stage: str | None
    text: str  # name and features repeated by weight, then the description


def category_doc(
    key: str,
    name: str,
    group: str | None,
    stage: str | None,
    description: str | None,
    features: Iterable[str],
) -> CategoryDoc:
    parts = [name] * _NAME_WEIGHT + [" ".join(features)] * _FEATURE_WEIGHT
    parts += [description or ""] * _DESCRIPTION_WEIGHT
    return CategoryDoc(key, name, group, stage, "\n".join(parts))


@dataclass(frozen=True)
class LexiconMatch:
    category: CategoryDoc
    score: float
    terms: tuple[str, ...]  # the text's words that matched, most telling first


class Lexicon:
    """BM25 over the directory's category documents."""

    def __init__(self, docs: Sequence[CategoryDoc]) -> None:
        self.docs = list(docs)
        self._counts = [Counter(words(doc.text)) for doc in self.docs]
        self._lengths = [sum(counts.values()) for counts in self._counts]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(self.docs)
        self.idf = {word: math.log(1 + (total - df + 0.5) / (df + 0.5)) for word, df in frequency.items()}

    def match(self, text: str, *, limit: int = 10) -> list[LexiconMatch]:
        """Return the best-matching categories, best first (only those with a matched word)."""
        query = Counter(words(text))
        results = []
        for doc, counts, length in zip(self.docs, self._counts, self._lengths, strict=True):
            score = 0.0
            matched = []
            for word, repeat in query.items():
                tf = counts.get(word, 0)
                if not tf:
                    continue
                norm = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / self._average))
                score += self.idf[word] * norm * min(repeat, 2)
                matched.append(word)
            if score > 0:
                matched.sort(key=lambda word: self.idf[word], reverse=True)
                results.append(LexiconMatch(doc, score, tuple(matched)))
        results.sort(key=lambda match: match.score, reverse=True)
        return results[:limit]
