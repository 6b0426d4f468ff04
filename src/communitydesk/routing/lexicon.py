"""Match a text against the directory's own words: category names, descriptions and features.

Each category is a small document: its name, its feature labels (categories.yml) and the titles of its
features (features.yml: what users call the things they use) weigh more than its description. Texts are
scored with BM25 over these documents, so a word every category uses says little. A match also names the
category's feature that shares the most telling words with the text, for the routing's reasons.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

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
    return [word for word, _ in _words_as_written(text)]


def _words_as_written(text: str) -> list[tuple[str, str]]:
    """Return (stemmed, as written) for each content word of a text."""
    result: list[tuple[str, str]] = []
    for term in extract_terms(text):
        for token in term.tokens if len(term.tokens) == 1 else ():
            if token not in STOPWORDS and token not in _DIRECTORY_STOPWORDS and not token.isdigit():
                result.extend([(stem(token), token)] * term.count)
    return result


@dataclass(frozen=True)
class CategoryDoc:
    key: str
    name: str
    group: str | None
    stage: str | None
    text: str  # name, feature labels and feature titles repeated by weight, then the description
    features: tuple[str, ...] = ()  # feature titles (features.yml)


def category_doc(
    key: str,
    name: str,
    group: str | None,
    stage: str | None,
    description: str | None,
    labels: Iterable[str],
    features: Sequence[str] = (),
) -> CategoryDoc:
    named = " ".join([*labels, *features])
    parts = [name] * _NAME_WEIGHT + [named] * _FEATURE_WEIGHT + [description or ""] * _DESCRIPTION_WEIGHT
    return CategoryDoc(key, name, group, stage, "\n".join(parts), tuple(features))


@dataclass(frozen=True)
class LexiconMatch:
    category: CategoryDoc
    score: float
    terms: tuple[str, ...]  # the text's words that matched (stemmed), most telling first
    feature: str | None = None  # the category's feature sharing the most telling words with the text
    shown: tuple[str, ...] = ()  # `terms` as the text wrote them ("saas", not the stem "saa"), for reasons


class Lexicon:
    """BM25 over the directory's category documents."""

    def __init__(self, docs: Sequence[CategoryDoc]) -> None:
        self.docs = list(docs)
        self._counts = [Counter(words(doc.text)) for doc in self.docs]
        self._feature_words = [[(title, set(words(title))) for title in doc.features] for doc in self.docs]
        self._lengths = [sum(counts.values()) for counts in self._counts]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(self.docs)
        self.idf = {word: math.log(1 + (total - df + 0.5) / (df + 0.5)) for word, df in frequency.items()}

    def match(self, text: str, *, limit: int = 10) -> list[LexiconMatch]:
        """Return the best-matching categories, best first (only those with a matched word)."""
        written = _words_as_written(text)
        query = Counter(word for word, _ in written)
        as_written = dict(reversed(written))  # a stem's first spelling in the text
        results = []
        documents = zip(self.docs, self._counts, self._lengths, self._feature_words, strict=True)
        for doc, counts, length, features in documents:
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
                shown = tuple(as_written.get(word, word) for word in matched)
                results.append((LexiconMatch(doc, score, tuple(matched), shown=shown), features))
        results.sort(key=lambda pair: pair[0].score, reverse=True)
        return [self._with_feature(match, features) for match, features in results[:limit]]

    def _with_feature(self, match: LexiconMatch, features: Sequence[tuple[str, set[str]]]) -> LexiconMatch:
        """Name the feature whose title shares the most telling matched words (two, or one rare one)."""
        matched = set(match.terms)
        best, best_weight = None, 0.0
        for title, title_words in features:
            shared = title_words & matched
            weight = sum(self.idf[word] for word in shared)
            if weight > best_weight and (len(shared) >= 2 or len(title_words) == 1):
                best, best_weight = title, weight
        if best is None:
            return match
        return replace(match, feature=best)


@lru_cache(maxsize=4)
def lexicon_of(docs: tuple[CategoryDoc, ...]) -> Lexicon:
    """Return the lexicon of these category documents, built once while they stay the same: building it
    (tokenising every category's words) was most of loading a router, which every ticket page does."""
    return Lexicon(docs)
