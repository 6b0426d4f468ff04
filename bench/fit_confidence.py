"""Fit the docs confidence model: how likely does a good docs page exist for a text?

Positives (a page answers them): GitLab's troubleshooting headings, each answered by its own page, and the
deprecation notices that link to an indexed page. Negatives (no page answers them): the real r/netsec and
Hacker News posts of the API payload shapes, which are not about GitLab. Features, as
`communitydesk.docs.ranking.confidence` reads them: the share of the query's BM25 weight the best of the
first five pages matched, and log(1 + the query's weight). A two-feature logistic regression, classes
weighted equally, fitted by Newton's method; prints the coefficients beside the current model's.

    .venv/bin/python bench/fit_confidence.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from docs_eval import DEFAULT_DATA, EXCLUDE, TREES, _docs_index, _rows

from communitydesk.docs import ranking, service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.schemas import LOW_CONFIDENCE, QueryTerm
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    args = parser.parse_args(argv)
    headings = [
        json.loads(line)["heading"]
        for line in (args.data / "dev-eval" / "doc_troubleshooting_headings.jsonl").read_text().splitlines()
    ]
    pages = _docs_index(args.data / "gitlab-docs" / "docs_index.jsonl")
    notices = [
        row.query
        for row in _rows(args.data / "dev-eval" / "deprecations_to_stage.jsonl", pages, strict=False)[0]
    ]
    off_topic = list(dict.fromkeys(_off_topic(args.data / "mentions" / "api_shapes")))
    print(f"positives: {len(headings)} headings, {len(notices)} notices; negatives: {len(off_topic)} posts")

    with tempfile.TemporaryDirectory() as scratch:
        index = SqliteDocsIndex(Path(scratch) / "docs_index.sqlite")
        service.index(
            index, [DocsTree(args.data / "gitlab-docs" / s, UrlRule(b)) for s, b in TREES], exclude=EXCLUDE
        )
        seen: list[tuple[Sequence[QueryTerm], float | None]] = []
        original = service.confidence

        def capture(terms: Sequence[QueryTerm], best: float | None) -> float:
            seen.append((terms, best))
            return original(terms, best)

        service.confidence = capture  # type: ignore[assignment]
        texts = [*headings, *notices, *off_topic]
        labels = np.array([1.0] * (len(headings) + len(notices)) + [0.0] * len(off_topic))
        for text in texts:
            before = len(seen)
            service.suggest(index, text, top=5)
            if len(seen) == before:  # no terms at all: the model is not asked
                seen.append(((), None))
        index.close()

    usable = [i for i, (terms, best) in enumerate(seen) if terms and best and best > 0]
    features = np.array([_features(*seen[i]) for i in usable])  # type: ignore[arg-type]
    y = labels[usable]
    coef = _fit(features, y)
    even, odd = np.arange(len(y)) % 2 == 0, np.arange(len(y)) % 2 == 1
    held_out = _loss(_predict(features[odd], _fit(features[even], y[even])), y[odd])
    print(f"held out: fitted on the even rows, weighted log loss on the odd rows {held_out:.3f}")
    print(f"fitted: bias {coef[0]:.2f}, matched {coef[1]:.2f}, weight {coef[2]:.2f}")
    print(f"current: bias {ranking._BIAS:.2f}, matched {ranking._MATCHED:.2f}, weight {ranking._WEIGHT:.2f}")
    current = np.array([ranking._BIAS, ranking._MATCHED, ranking._WEIGHT])
    for name, model in (("current", current), ("fitted", coef)):
        p = _predict(features, model)
        kinds = {
            "headings": (0, len(headings)),
            "notices": (len(headings), len(headings) + len(notices)),
            "off-topic": (len(headings) + len(notices), len(texts)),
        }
        cells = []
        for kind, (start, end) in kinds.items():
            chosen = [k for k, i in enumerate(usable) if start <= i < end]
            low = sum(p[k] < LOW_CONFIDENCE for k in chosen) + (end - start - len(chosen))
            cells.append(f"{kind} below {LOW_CONFIDENCE}: {low}/{end - start}")
        print(f"{name:<8} " + ", ".join(cells) + f"; weighted log loss {_loss(p, y):.3f}")
    return 0


def _features(terms: Sequence[QueryTerm], best: float) -> tuple[float, float, float]:
    terms = terms[: ranking.CONFIDENCE_TERMS]
    weight = sum(t.idf for t in terms)
    matched = best / sum(ranking._bm25_idf(t) for t in terms)
    evidence = weight * ranking._corpus_scale(terms[0].documents)
    return 1.0, min(matched, 4.0), math.log1p(evidence)


def _predict(x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ coef))))


def _weights(y: np.ndarray) -> np.ndarray:
    positives = y.sum()
    return np.where(y > 0, 0.5 / positives, 0.5 / (len(y) - positives))


def _loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return float(-(_weights(y) * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum())


def _fit(x: np.ndarray, y: np.ndarray, ridge: float = 1e-7) -> np.ndarray:
    """Weighted logistic regression by Newton's method (a little ridge keeps it finite if separable)."""
    w = _weights(y)
    coef = np.zeros(x.shape[1])
    for _ in range(100):
        p = _predict(x, coef)
        gradient = x.T @ (w * (p - y)) + ridge * coef
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        coef -= step
        if np.abs(step).max() < 1e-9:
            break
    return coef


def _off_topic(shapes: Path) -> Iterator[str]:
    """Posts and comments of the real payload shapes: r/netsec and Hacker News, not about GitLab."""
    for path in sorted((shapes / "reddit").glob("*.json")):
        yield from _texts(json.loads(path.read_text(encoding="utf-8")))
    for path in sorted((shapes / "hn").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for title, body in re.findall(
            r"title: '((?:[^'\\]|\\.)*)',.*?story_text: '((?:[^'\\]|\\.)*)'", source, re.S
        ):
            yield f"{title}\n\n{body}".strip()


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, dict):
        data = node.get("data", node)
        text = "\n\n".join(str(data[key]) for key in ("title", "selftext", "body") if data.get(key))
        if len(text) > 20 and node.get("kind") in {"t1", "t3"}:
            yield text
        for value in data.values():
            if isinstance(value, (list, dict)):
                yield from _texts(value)


if __name__ == "__main__":
    sys.exit(main())
