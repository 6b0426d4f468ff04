"""How the kinds of routing evidence become shares and one ranking of owners."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from communitydesk.taxonomy.aliases import Owner

# Added to each kind's share of an owner before the kinds are multiplied: what "not seen" still counts.
SMOOTHING = 0.1


def shares_of(votes: Iterable[tuple[Owner, float]]) -> tuple[dict[str, float], dict[str, float]]:
    """Return one kind of evidence as each stage's and each group's share of that kind's total vote."""
    owned = [(owner, value) for owner, value in votes if owner.stage and value > 0]
    total = sum(value for _, value in owned)
    stages: dict[str, float] = defaultdict(float)
    groups: dict[str, float] = defaultdict(float)
    for owner, value in owned:
        assert owner.stage is not None
        stages[owner.stage] += value / total
        if owner.group:
            groups[owner.group] += value / total
    return stages, groups


def rank_owners(
    kinds: Sequence[tuple[float, dict[str, float]]], *, by_product: bool
) -> list[tuple[str, float]]:
    """Return owners with their share of all evidence (each kind's shares, weighted and summed), best first.

    `by_product` orders them by the kinds' shares multiplied instead (each smoothed, to the power of its
    weight): an owner that two kinds of evidence support then beats one that a single kind favours and
    the other does not see at all. A kind with no evidence for any owner is left out of both.
    """
    present = [(weight, shares) for weight, shares in kinds if shares]
    keys = {key for _, shares in present for key in shares}
    summed = {key: sum(weight * shares.get(key, 0.0) for weight, shares in present) for key in keys}
    total = sum(summed.values())
    if by_product:
        order = {
            key: math.prod((shares.get(key, 0.0) + SMOOTHING) ** weight for weight, shares in present)
            for key in keys
        }
    else:
        order = summed
    ranked = sorted(keys, key=lambda key: (order[key], summed[key]), reverse=True)
    return [(key, summed[key] / total) for key in ranked]


def cosine(mine: set[str], theirs: frozenset[str], idf: dict[str, float]) -> float:
    default = max(idf.values(), default=1.0)

    def weight(word: str) -> float:
        return idf.get(word, default) ** 2

    shared = sum(weight(word) for word in mine & theirs)
    if not shared:
        return 0.0
    return shared / math.sqrt(sum(weight(w) for w in mine) * sum(weight(w) for w in theirs))
