"""Benchmark docs suggestions on GitLab deprecation notices: does the desk find the pages they link to?

Query: the notice's title and body with every URL removed (link texts stay, unless --strict). Gold: the
docs pages the notice links to, mapped to pages through docs_index.jsonl (redirect stubs followed); notices
without a link to an indexed page are left out. A plain BM25 baseline (bm25s over title + body of whole
pages) runs on the same rows in the same run.

    .venv/bin/python bench/docs_eval.py [--data ../shared/data] [--strict] [--semantic] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from communitydesk.docs import service
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.markdown import normalise_owner, split_front_matter
from communitydesk.docs.ranking import DEFAULT_OPTIONS, RankingOptions
from communitydesk.docs.semantic import SemanticRanker
from communitydesk.docs.sqlite_backend import FieldWeights, SqliteDocsIndex
from communitydesk.docs.urls import UrlRule

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TREES = (("doc", "https://docs.gitlab.com/"), ("runner/docs", "https://docs.gitlab.com/runner/"),
         ("omnibus/doc", "https://docs.gitlab.com/omnibus/"))  # fmt: skip
# Pages that list every deprecation or removal repeat the notices word for word, links and link texts
# included: they are left out of the index (their links would hand each notice's words to its gold page).
LISTING_PATHS = ("update/deprecations.md", "update/removals.md")
EXCLUDE = ("AGENTS.md", "CLAUDE.md", *LISTING_PATHS)
LISTING_PAGES = ("https://docs.gitlab.com/update/deprecations/", "https://docs.gitlab.com/update/removals/")
KS = (1, 5, 10)

_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)]*)\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    id: str
    query: str
    gold: frozenset[str]  # page URLs
    stage: str | None


@dataclass
class Scores:
    hits: Counter[int]
    reciprocal_ranks: list[float]
    stage_agree: int
    stage_rows: int
    rows: int

    def line(self, name: str) -> str:
        recall = "  ".join(f"R@{k} {self.hits[k] / self.rows:.3f}" for k in KS)
        mrr = sum(self.reciprocal_ranks) / self.rows
        stage = self.stage_agree / self.stage_rows if self.stage_rows else float("nan")
        return f"{name:<10} {recall}  MRR@10 {mrr:.3f}  stage@1 {stage:.3f} ({self.stage_rows} rows)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--strict", action="store_true", help="also drop the text of links to docs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bm25s baseline")
    parser.add_argument("--set", action="append", default=[], help="override a ranking option, key=value")
    parser.add_argument(
        "--semantic", action="store_true", help="also embed the pages and rank with the semantic extra fused"
    )
    parser.add_argument("--misses", type=int, default=0, help="print this many missed rows")
    parser.add_argument(
        "--headings", type=int, default=300, help="sanity set: this many troubleshooting headings (0: none)"
    )
    args = parser.parse_args(argv)
    options, weights = _options(args.set)

    pages = _docs_index(args.data / "gitlab-docs" / "docs_index.jsonl")
    rows, skipped = _rows(args.data / "dev-eval" / "deprecations_to_stage.jsonl", pages, strict=args.strict)
    print(f"rows: {len(rows)} with a link to an indexed docs page ({skipped} with links to none left out)")
    print(f"queries: title + body, URLs removed{', docs link texts removed too' if args.strict else ''}")

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "docs_index.sqlite"
        index = SqliteDocsIndex(path, weights=weights)
        trees = [DocsTree(args.data / "gitlab-docs" / sub, UrlRule(base)) for sub, base in TREES]
        report = service.index(index, trees, exclude=EXCLUDE)
        counts = index.counts()
        size_mb = sum(f.stat().st_size for f in Path(scratch).iterdir()) / 2**20
        print(
            f"index: {counts['pages']} pages, {counts['sections']} sections ({counts['redirects']} redirect "
            f"stubs not indexed); full build {report.seconds:.2f} s; file {size_mb:.0f} MB"
        )
        desk_results: dict[str, list[str]] = {}
        desk_stages: dict[str, str | None] = {}
        confidences: dict[str, float] = {}
        batch_options = replace(options, snippets=False)  # what `desk docs suggest --batch` runs
        service.suggest(index, "warm up the page cache", options=options)
        latency: dict[str, tuple[list[float], list[float]]] = {
            "top=5 + snippets": ([], []),
            "top=12": ([], []),
        }
        for row in rows:
            with _timed(latency["top=12"]):
                result = service.suggest(index, row.query, top=10 + len(LISTING_PAGES), options=batch_options)
            desk_results[row.id] = [s.page_url for s in result.suggestions]
            confidences[row.id] = result.confidence
            desk_stages.update((s.page_url, s.stage) for s in result.suggestions)
            with _timed(latency["top=5 + snippets"]):  # what the desk's UI asks for
                service.suggest(index, row.query, top=5, options=options)
        _print_latency(latency)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS after build + queries: {peak_mb:.0f} MB")
        if args.headings:
            sanity = args.data / "dev-eval" / "doc_troubleshooting_headings.jsonl"
            _headings(index, sanity, args.headings, batch_options)
        semantic_results = _semantic(index, rows, batch_options) if args.semantic else {}
        index.close()

    baseline_results: dict[str, list[str]] = {}
    if not args.no_baseline:
        baseline_results = _baseline(args.data / "gitlab-docs", pages, rows)
    stages = {url: normalise_owner(page.stage) for url, page in pages.items()} | desk_stages

    # The listing pages are not indexed (see EXCLUDE); leaving them out of gold too is a no-op kept for
    # links that reach them through a redirect.
    for label, dropped in (("rows", LISTING_PAGES),):
        subset = [r for r in rows if r.gold - set(dropped)]
        print(f"\n== {label} ({len(subset)} rows) ==")
        desk_scores = _score(subset, desk_results, stages, dropped)
        print(desk_scores.line("desk"))
        for half, parity in (("desk even", 0), ("desk odd", 1)):  # tuned on neither half alone: see README
            print(
                _score([r for r in subset if int(r.id) % 2 == parity], desk_results, stages, dropped).line(
                    half
                )
            )
        if semantic_results:
            print(_score(subset, semantic_results, stages, dropped).line("desk+sem"))
        if baseline_results:
            base_scores = _score(subset, baseline_results, stages, dropped)
            print(base_scores.line("bm25s"))
            ratio = desk_scores.hits[1] / max(base_scores.hits[1], 1)
            print(f"R@1 desk / bm25s = {ratio:.2f}")
        top1 = Counter(next((u for u in desk_results[r.id] if u not in dropped), None) for r in subset)
        print("most frequent desk top-1: " + ", ".join(f"{url} ({n})" for url, n in top1.most_common(3)))

    print("\nconfidence vs. first page in the gold (listing pages left out):")
    for low, high in ((0.0, 0.4), (0.4, 0.7), (0.7, 1.01)):
        bucket = [r for r in rows if low <= confidences[r.id] < high and r.gold - set(LISTING_PAGES)]
        right = sum(_first(desk_results[r.id], LISTING_PAGES) in r.gold for r in bucket)
        print(f"  [{low:.1f}, {min(high, 1.0):.1f}): {len(bucket):3d} rows, first page right in {right}")

    for row in [r for r in rows if not set(desk_results[r.id][:5]) & r.gold][: args.misses]:
        print(f"\nMISS {row.id}\n  gold {sorted(row.gold)}\n  got  {desk_results[row.id][:5]}")
    return 0


def _print_latency(latency: dict[str, tuple[list[float], list[float]]]) -> None:
    for name, (wall, cpu) in latency.items():
        print(
            f"suggest({name}) latency: wall p50 {_pct(wall, 50):.1f} ms, p95 {_pct(wall, 95):.1f} ms; "
            f"CPU p50 {_pct(cpu, 50):.1f} ms, p95 {_pct(cpu, 95):.1f} ms"
        )


def _semantic(index: SqliteDocsIndex, rows: Sequence[Row], options: RankingOptions) -> dict[str, list[str]]:
    """Embed every page (timed), then run the fused ranking on every row (timed)."""
    wall, cpu = time.perf_counter(), time.process_time()
    embedded = service.embed(index, threads=os.cpu_count() or 1)
    print(
        f"semantic: {embedded} pages embedded in {time.perf_counter() - wall:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU ({os.cpu_count()} threads; `desk docs embed`)"
    )
    index.semantic = SemanticRanker(index)
    service.suggest(index, "warm up the model", options=options)
    results: dict[str, list[str]] = {}
    latency: dict[str, tuple[list[float], list[float]]] = {"semantic, top=12": ([], [])}
    for row in rows:
        with _timed(latency["semantic, top=12"]):
            result = service.suggest(index, row.query, top=10 + len(LISTING_PAGES), options=options)
        results[row.id] = [s.page_url for s in result.suggestions]
    _print_latency(latency)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after build + queries + semantic: {peak_mb:.0f} MB")
    return results


def _headings(index: SqliteDocsIndex, path: Path, count: int, options: RankingOptions) -> None:
    """Sanity set: troubleshooting headings as questions, their own page as gold (a fixed random sample).

    Short questions, unlike the notices: a change that helps long texts must not hurt these."""
    lines = path.read_text(encoding="utf-8").splitlines()
    sample = [json.loads(line) for line in random.Random(7).sample(lines, min(count, len(lines)))]
    hits = Counter[int]()
    for raw in sample:
        result = service.suggest(index, raw["heading"], top=5, options=options)
        urls = [s.page_url for s in result.suggestions]
        gold = raw["url"].split("#", 1)[0]
        for k in (1, 5):
            hits[k] += gold in urls[:k]
    print(
        f"sanity set ({len(sample)} troubleshooting headings -> their page): "
        f"R@1 {hits[1] / len(sample):.3f}  R@5 {hits[5] / len(sample):.3f}"
    )


def _first(urls: Sequence[str], dropped: Sequence[str]) -> str | None:
    return next((url for url in urls if url not in dropped), None)


@contextmanager
def _timed(into: tuple[list[float], list[float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into[0].append((time.perf_counter() - wall) * 1000)
    into[1].append((time.process_time() - cpu) * 1000)


def _pct(values: Sequence[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))]


@dataclass(frozen=True)
class IndexedPage:
    path: str
    url: str
    title: str
    stage: str | None
    redirect_to: str | None


def _docs_index(path: Path) -> dict[str, IndexedPage]:
    pages = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        pages[raw["url"]] = IndexedPage(
            raw["path"], raw["url"], raw["title"] or "", raw["stage"], raw["redirect_to"]
        )
    return pages


def _page_url(link: str, pages: dict[str, IndexedPage], by_path: dict[str, IndexedPage]) -> str | None:
    """Map a docs.gitlab.com link to the URL of the page it shows (redirect stubs followed), or None."""
    parts = urlsplit(link)
    if parts.netloc != "docs.gitlab.com":
        return None
    path = re.sub(r"(/index)?\.html$", "/", parts.path)
    url = f"https://docs.gitlab.com{path if path.endswith('/') else path + '/'}"
    for _ in range(5):  # follow redirect stubs
        page = pages.get(url)
        if page is None:
            return None
        if not page.redirect_to:
            return None if page.path.endswith(EXCLUDE) else url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), page.redirect_to))
        if page.redirect_to.startswith("http"):
            return _page_url(page.redirect_to, pages, by_path)
        next_page = by_path.get(target)
        if next_page is None:
            return None
        url = next_page.url
    return None


def _rows(path: Path, pages: dict[str, IndexedPage], *, strict: bool) -> tuple[list[Row], int]:
    rows, skipped = [], 0
    by_path = {page.path: page for page in pages.values()}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        if not raw["doc_links"]:
            continue
        gold = frozenset(url for link in raw["doc_links"] if (url := _page_url(link, pages, by_path)))
        if not gold:
            skipped += 1
            continue
        text = f"{raw['title']}\n\n{raw['body']}"
        rows.append(Row(str(number), _strip_links(text, strict=strict), gold, raw["stage_label"]))
    return rows, skipped


def _strip_links(text: str, *, strict: bool) -> str:
    def link(match: re.Match[str]) -> str:
        if match.group(1) or (strict and "docs.gitlab.com" in match.group(3)):
            return " "
        return match.group(2)

    return _URL.sub(" ", _MD_LINK.sub(link, text))


def _score(
    rows: Sequence[Row], results: dict[str, list[str]], stages: dict[str, str | None], dropped: Sequence[str]
) -> Scores:
    scores = Scores(Counter(), [], 0, 0, len(rows))
    for row in rows:
        gold = row.gold - set(dropped)
        ranked = [url for url in results[row.id] if url not in dropped][:10]
        first = next((i for i, url in enumerate(ranked) if url in gold), None)
        for k in KS:
            scores.hits[k] += first is not None and first < k
        scores.reciprocal_ranks.append(1 / (first + 1) if first is not None else 0.0)
        if row.stage and ranked:
            scores.stage_rows += 1
            scores.stage_agree += _same_stage(row.stage, stages.get(ranked[0]))
    return scores


def _same_stage(label: str, stage: str | None) -> bool:
    def norm(value: str) -> str:
        return re.sub(r"[\s_-]+", " ", value).strip().lower()

    return stage is not None and norm(label) == norm(stage)


def _baseline(root: Path, pages: dict[str, IndexedPage], rows: Sequence[Row]) -> dict[str, list[str]]:
    import bm25s  # the `bench` extra
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    urls, corpus = [], []
    for url, page in pages.items():
        if page.redirect_to or page.path.endswith(EXCLUDE):
            continue
        _, body = split_front_matter((root / page.path).read_text(encoding="utf-8"))
        urls.append(url)
        corpus.append(f"{page.title}\n{body}")
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False
    )
    build = time.perf_counter() - started
    tokenize: Callable[[list[str]], object] = lambda texts: bm25s.tokenize(  # noqa: E731
        texts, stopwords="en", stemmer=stemmer, show_progress=False
    )
    results: dict[str, list[str]] = {}
    latencies = []
    for row in rows:
        started = time.perf_counter()
        docs, _ = retriever.retrieve(tokenize([row.query]), k=10 + len(LISTING_PAGES), show_progress=False)
        latencies.append((time.perf_counter() - started) * 1000)
        results[row.id] = [urls[i] for i in docs[0]]
    print(
        f"bm25s baseline: {len(urls)} pages, build {build:.2f} s, "
        f"p50 query {statistics.median(latencies):.1f} ms"
    )
    return results


def _options(settings: Sequence[str]) -> tuple[RankingOptions, FieldWeights]:
    options, weights = DEFAULT_OPTIONS, FieldWeights()
    for setting in settings:
        key, _, value = setting.partition("=")
        if key in {f.name for f in fields(FieldWeights)}:
            weights = replace(weights, **{key: float(value)})
        else:
            kind = type(getattr(options, key))
            options = replace(options, **{key: kind(value)})
    return options, weights


if __name__ == "__main__":
    sys.exit(main())
