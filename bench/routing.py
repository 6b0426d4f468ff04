"""Benchmark routing on GitLab deprecation notices: does the desk name the stage and group that own them?

Text: the notice's title and body with every URL and every docs link removed (see bench/README.md). Gold:
the owner of the docs pages the notice links to, from their front matter, mapped to the directory's
(2022) stage and group keys through the alias table. The deprecation/removal listing pages are left out
of results and gold. A nearest-document baseline (the owner of the docs index's plain BM25 top-1 page)
runs on the same rows in the same run.

    .venv/bin/python bench/routing.py [--data ../shared/data] [--keep-link-text] [--misses N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from docs_eval import EXCLUDE, TREES, _docs_index, _page_url

from communitydesk.config import Settings
from communitydesk.db import migrate
from communitydesk.db.engine import make_engine, make_session_factory
from communitydesk.docs import service as docs
from communitydesk.docs.indexer import DocsTree
from communitydesk.docs.query import extract_terms
from communitydesk.docs.ranking import select_terms
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlRule
from communitydesk.experts.flows import import_directory
from communitydesk.routing import service as routing
from communitydesk.routing.directory import PastAnswer, word_set
from communitydesk.routing.router import Router
from communitydesk.taxonomy.aliases import Owner, Resolver

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Pages that list every deprecation or removal: they repeat the notices almost word for word.
LISTING_PATHS = ("update/deprecations.md", "update/removals.md")
LISTING_GLOBS = tuple(f"*{path}" for path in LISTING_PATHS)

_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)]*)\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    stage: str
    group: str | None
    label: str | None  # the notice's own stage label (its time's name), for reference


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--keep-link-text", action="store_true", help="keep the text of docs links")
    parser.add_argument("--misses", type=int, default=0, help="print this many rows with the wrong stage")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(data_dir=Path(scratch), environment="test")
        engine = make_engine(settings.resolved_database_url)
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        imported = import_directory(
            sessions, settings, taxonomy=args.data / "taxonomy" / "www-gitlab-com_2022-11"
        )
        assert imported.taxonomy is not None
        print(f"directory: {imported.taxonomy.describe()}")
        index = SqliteDocsIndex(Path(scratch) / "docs_index.sqlite")
        trees = [DocsTree(args.data / "gitlab-docs" / sub, UrlRule(base)) for sub, base in TREES]
        report = docs.index(index, trees, exclude=EXCLUDE)
        print(f"docs index: {index.counts()['pages']} pages in {report.seconds:.1f} s")
        loads = []
        for _ in range(3):  # what each ticket page's "Who to ask" does; the first one builds the lexicon
            started = time.perf_counter()
            with sessions() as session:
                router = routing.load_router(session, settings, index=index, exclude_docs=LISTING_GLOBS)
            loads.append((time.perf_counter() - started) * 1000)
        print(f"loading a router: {loads[0]:.0f} ms the first time, then {min(loads[1:]):.0f} ms")
        rows, left_out = _rows(args.data, router.resolver, keep_link_text=args.keep_link_text)
        print(
            f"rows: {len(rows)} with a linked docs page that has an owner ({left_out} notices with links "
            f"left out: no owned page); {sum(r.group is not None for r in rows)} with a gold group"
        )
        started = time.perf_counter()
        results = {row.id: router.route(row.text) for row in rows}
        seconds = time.perf_counter() - started
        baseline = {row.id: _nearest_document(index, router, row.text) for row in rows}
        with_history = _route_with_other_half(router, rows)
        labelled = {row.id: _label_stages(row.label, router.resolver) for row in rows}
        desk = {
            row_id: Owner(_key(routing.stage), _key(routing.group)) for row_id, routing in results.items()
        }
        index.close()
        engine.dispose()

    print(f"routing: {seconds / max(len(rows), 1) * 1000:.0f} ms per text")
    # Two halves by row number: tune on one, check the other (a change fitted to one half shows up).
    halves = {
        "all": rows,
        "even": [r for r in rows if int(r.id) % 2 == 0],
        "odd": [r for r in rows if int(r.id) % 2 == 1],
    }
    print(f"\n{'':<26}" + "".join(f"{name + ' stage':>12}{name + ' group':>12}" for name in halves))
    for label, owners in (
        ("desk route", desk),
        ("nearest docs page (BM25)", baseline),
        ("desk + other half answered", with_history),
    ):
        cells = "".join(f"{share:>12.3f}" for part in halves.values() for share in _accuracy(part, owners))
        print(f"{label:<26}{cells}")
    print(
        "rows (stage/group): "
        + ", ".join(
            f"{name} {len(part)}/{sum(r.group is not None for r in part)}" for name, part in halves.items()
        )
    )

    print("\nconfidence buckets (desk): rows, stage right")
    for low, high in ((0.0, 0.35), (0.35, 0.6), (0.6, 1.01)):
        bucket = [r for r in rows if low <= results[r.id].confidence < high]
        right = sum(_key(results[r.id].stage) == r.stage for r in bucket)
        print(f"  [{low:.2f}, {min(high, 1.0):.2f}): {len(bucket):3d} rows, {right} right")
    confusions = Counter(
        (r.stage, _key(results[r.id].stage)) for r in rows if _key(results[r.id].stage) != r.stage
    )
    print(
        "most frequent stage confusions (gold -> desk): "
        + ", ".join(f"{gold}->{got} ({n})" for (gold, got), n in confusions.most_common(6))
    )
    misses = [r for r in rows if _key(results[r.id].stage) != r.stage]
    own_label = [r for r in misses if _key(results[r.id].stage) in labelled[r.id]]
    print(
        f"misses where the desk names the stage of the notice's own label: {len(own_label)} of {len(misses)} "
        f"({', '.join(r.id for r in own_label)}); counting them right would give "
        f"{(len(rows) - len(misses) + len(own_label)) / max(len(rows), 1):.3f} (a diagnostic, not the score)"
    )
    for row in misses[: args.misses]:
        result = results[row.id]
        print(f"\nMISS {row.id} gold {row.stage}/{row.group} got {_key(result.stage)}/{_key(result.group)}")
        print(f"  {row.text[:160]!r}")
        for reason in result.reasons[:4]:
            print(f"  - {reason}")
    return 0


def _route_with_other_half(router: Router, rows: Sequence[Row]) -> dict[str, Owner]:
    """Route each half with the other half's notices as answered tickets (their gold owner): what the
    history evidence adds once the desk has seen answers, measured on rows it has not seen."""
    routed: dict[str, Owner] = {}
    for parity in (0, 1):
        seen = [row for row in rows if int(row.id) % 2 != parity]
        history = [PastAnswer(int(r.id), "bench", r.stage, r.group, word_set(r.text)) for r in seen]
        with_history = replace(router, history=history)
        for row in rows:
            if int(row.id) % 2 == parity:
                result = with_history.route(row.text)
                routed[row.id] = Owner(_key(result.stage), _key(result.group))
    return routed


def _accuracy(rows: Sequence[Row], owners: dict[str, Owner]) -> tuple[float, float]:
    """Return the share of rows whose stage is right, and of rows with a gold group whose group is."""
    grouped = [row for row in rows if row.group]
    stage = sum(owners[row.id].stage == row.stage for row in rows) / max(len(rows), 1)
    group = sum(owners[row.id].group == row.group for row in grouped) / max(len(grouped), 1)
    return stage, group


def _key(ranked: object) -> str | None:
    return getattr(ranked, "key", None)


def _rows(data: Path, resolver: Resolver, *, keep_link_text: bool) -> tuple[list[Row], int]:
    """Read the notices that link to at least one owned docs page; gold is the links' majority owner."""
    pages = _docs_index(data / "gitlab-docs" / "docs_index.jsonl")
    by_path = {page.path: page for page in pages.values()}
    groups_of = {
        raw["url"]: raw.get("group")
        for raw in map(
            json.loads, (data / "gitlab-docs" / "docs_index.jsonl").read_text(encoding="utf-8").splitlines()
        )
    }
    owners = {url: resolver.owner(page.stage, groups_of.get(url)) for url, page in pages.items()}
    rows, left_out = [], 0
    path = data / "dev-eval" / "deprecations_to_stage.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        raw = json.loads(line)
        if not raw["doc_links"]:
            continue
        body = f"{raw['title']}\n\n{raw['body']}"
        linked = []
        for link in sorted(raw["doc_links"], key=lambda link: _position(body, link)):
            url = _page_url(link, pages, by_path)
            if url and not pages[url].path.endswith(LISTING_PATHS) and owners[url].stage:
                linked.append(owners[url])
        if not linked:
            left_out += 1
            continue
        stage = _gold_stage(linked, _label_stages(raw.get("stage_label"), resolver))
        groups = [owner.group for owner in linked if owner.stage == stage and owner.group]
        group = Counter(groups).most_common(1)[0][0] if groups else None
        text = _strip_links(body, keep_link_text=keep_link_text)
        rows.append(Row(str(number), text, stage, group, raw.get("stage_label")))
    return rows, left_out


def _label_stages(label: object, resolver: Resolver) -> set[str]:
    """Return the directory stages a notice's own stage label names ("secure, protect" names two)."""
    if not isinstance(label, str):
        return set()
    return {stage for part in label.split(",") if (stage := resolver.stage(part))}


def _gold_stage(linked: Sequence[Owner], labelled: set[str]) -> str:
    """The most frequent stage of the linked pages; a tie goes to the stage the notice's own label names,
    else to the link that comes first (a notice often links a general page, such as the upgrade notes,
    beside its own feature's page, and link order says nothing about which one it is about)."""
    counts = Counter(owner.stage for owner in linked if owner.stage)
    top = max(counts.values())
    tied = [stage for stage, count in counts.items() if count == top]  # in order of first link
    return next((stage for stage in tied if stage in labelled), tied[0])


def _position(body: str, link: str) -> int:
    found = body.find(link)
    return found if found >= 0 else len(body)


def _strip_links(text: str, *, keep_link_text: bool) -> str:
    """Remove every URL; docs links go whole (their text often is the page title) unless kept."""

    def link(match: re.Match[str]) -> str:
        if match.group(1) or (not keep_link_text and "docs.gitlab.com" in match.group(3)):
            return " "
        return match.group(2)

    return _URL.sub(" ", _MD_LINK.sub(link, text))


def _nearest_document(index: SqliteDocsIndex, router: Router, text: str) -> Owner:
    """The owner of the first page of a plain BM25 search (no section fusion, no votes)."""
    terms = select_terms(index.analyse(extract_terms(text)))
    if not terms:
        return Owner(None, None)
    for hit in index.search(terms, limit=5):
        if not hit.path.endswith(LISTING_PATHS):
            return router.resolver.owner(hit.stage, hit.group)
    return Owner(None, None)


if __name__ == "__main__":
    sys.exit(main())
