"""Intake throughput: normalize + store HN-shaped comments through the real poll flow, beside a raw
batched insert of the same rows, on SQLite and on PostgreSQL.

    .venv/bin/python bench/intake.py --count 100000
    .venv/bin/python bench/intake.py --count 100000 --postgres postgresql://postgres@127.0.0.1:5432/desk_ci

The PostgreSQL database is wiped (schema public dropped and recreated). Each item goes through
`intake.flows.poll_source`: HackerNewsSource.normalize, watch rules, html_to_text, deduplication,
threading into tickets with audit events, and the cursor committed with each page of 100.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from communitydesk.config import Settings
from communitydesk.db import migrate
from communitydesk.db.engine import make_engine, make_session_factory
from communitydesk.db.models import Mention, Ticket
from communitydesk.intake.flows import poll_source
from communitydesk.intake.watch import WatchRules
from communitydesk.integrations.base import Page, RawItem
from communitydesk.integrations.hackernews.source import HackerNewsSource, item_url
from communitydesk.mentions.sanitize import names_company
from communitydesk.runtime import Desk
from communitydesk.settings.intake import HackerNewsSettings

PAGE = 100
START = 1_790_000_000
WORDS = [
    "runner",
    "pipeline",
    "cache",
    "artifact",
    "registry",
    "merge",
    "request",
    "review",
    "deploy",
    "kubernetes",
    "helm",
    "terraform",
    "monorepo",
    "latency",
    "migration",
    "upgrade",
    "release",
    "docs",
    "issue",
    "board",
    "epic",
    "milestone",
    "token",
    "permission",
]


def comment_hits(count: int, *, seed: int = 7) -> list[RawItem]:
    """Return `count` comment hits shaped like Algolia's, in threads of about 50 comments per story."""
    rng = random.Random(seed)
    hits = []
    for n in range(count):
        object_id = 40_000_000 + n
        story_id = 39_000_000 + n // 50
        parent = object_id - rng.randint(1, 5) if n % 50 > 5 and rng.random() < 0.4 else story_id
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        text = (
            f"<p>We moved our {words} to GitLab CI last year &amp; it&#x27;s been fine.</p>"
            f'<p>See <a href="https://docs.gitlab.com/ee/ci/{n % 97}" rel="nofollow">the docs</a>'
            f" &#x2F; <code>cache:key:files</code> for {rng.choice(WORDS)}.</p>"
        )
        created = START + n * 3
        hits.append(
            {
                "_tags": ["comment", f"author_user{n % 997}", f"story_{story_id}"],
                "author": f"user{n % 997}",
                "children": [],
                "comment_text": text,
                "created_at": datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "created_at_i": created,
                "objectID": str(object_id),
                "parent_id": parent,
                "points": None,
                "story_id": story_id,
                "story_title": f"Ask HN: How do you run CI for story {story_id}?",
                "story_url": f"https://example.com/{story_id}",
                "updated_at": "2026-11-21T00:00:00Z",
            }
        )
    return hits


class MemoryHackerNews(HackerNewsSource):
    """The real HN source's normalize, fed pages from memory instead of Algolia."""

    def __init__(self, hits: Sequence[RawItem]) -> None:
        super().__init__(HackerNewsSettings(check_dead=False), ["gitlab"], algolia=None)  # type: ignore[arg-type]
        self.hits = hits

    def scopes(self) -> list[str]:
        return ["query:gitlab"]

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        return "0"

    def fetch(self, scope: str, cursor: str | None) -> Page:
        offset = int(cursor or 0)
        items = [dict(hit) for hit in self.hits[offset : offset + PAGE]]
        end = offset + len(items)
        return Page(items=items, next_cursor=str(end), done=end >= len(self.hits))


@dataclass
class Result:
    database: str
    method: str
    count: int
    seconds: float
    # This process's CPU time: on a busy machine wall time mostly measures the neighbours. For SQLite
    # (in-process) it is the whole cost; for PostgreSQL the server's share is left out.
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.count / self.cpu_seconds if self.cpu_seconds else 0.0


def _fresh(url: str, *, no_prepare: bool = False) -> Desk:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    desk = Desk.open(Settings(database_url=url, environment="test"))
    if no_prepare and desk.engine.dialect.name == "postgresql":
        # psycopg prepares a statement on its 5th run; with autovacuum off, the generic plan it keeps was
        # made for an empty table. This shows the cost of that (see the report printed below).
        desk.close()
        engine = make_engine(url, connect_args={"prepare_threshold": None})
        desk = dataclasses.replace(desk, engine=engine, sessions=make_session_factory(engine))
    return desk


def _raw_rows(hits: Sequence[RawItem]) -> Iterator[dict[str, Any]]:
    fetched = datetime.now(UTC)
    for hit in hits:
        yield {
            "source": "bench-raw",
            "channel": "hackernews",
            "external_id": hit["objectID"],
            "url": item_url(hit["objectID"]),
            "author_handle": hit["author"],
            "author_name": None,
            "title": hit["story_title"],
            "text": hit["comment_text"],
            "raw": hit,
            "created_at": datetime.fromtimestamp(hit["created_at_i"], UTC),
            "fetched_at": fetched,
            "parent_external_id": str(hit["parent_id"]),
            "root_external_id": str(hit["story_id"]),
            "names_company": names_company(hit["comment_text"], ["GitLab"]),
            "ticket_id": None,
        }


def bench_flow(desk: Desk, hits: Sequence[RawItem], label: str) -> Result:
    source = MemoryHackerNews(hits)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = poll_source(desk, source, watch=WatchRules(["gitlab"]), trigger="bench")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    if report.new != len(hits) or report.error:
        raise SystemExit(f"flow stored {report.new} of {len(hits)}: {report.error}")
    with desk.sessions() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket))
    if tickets != len(hits):
        raise SystemExit(f"expected one ticket per comment, got {tickets}")
    return Result(label, "poll_source (normalize + store + thread)", len(hits), seconds, cpu_seconds)


def bench_raw(desk: Desk, hits: Sequence[RawItem], label: str, batch: int = 1000) -> Result:
    rows = list(_raw_rows(hits))
    table = Mention
    started, cpu_started = time.perf_counter(), time.process_time()
    for offset in range(0, len(rows), batch):
        with desk.engine.begin() as connection:
            connection.execute(insert(table), rows[offset : offset + batch])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    method = f"raw batched insert ({batch} rows/commit, no tickets)"
    return Result(label, method, len(rows), seconds, cpu_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--postgres", help="A scratch PostgreSQL URL (wiped), e.g. .../desk_ci")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--pg-no-prepare", action="store_true", help="Turn off psycopg's automatic prepared statements."
    )
    args = parser.parse_args(argv)

    hits = comment_hits(args.count)
    targets: list[tuple[str, str]] = []
    scratch = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    if not args.no_sqlite:
        targets.append(("SQLite", f"sqlite:///{scratch / 'bench.db'}"))
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))

    results = []
    for label, url in targets:
        desk = _fresh(url, no_prepare=args.pg_no_prepare)
        try:
            results.append(bench_flow(desk, hits, label))
            results.append(bench_raw(desk, hits, label))
        finally:
            desk.close()
        for result in results[-2:]:
            print(
                f"{result.database:<11} {result.method:<48} {result.count:>7} in {result.seconds:7.1f}s "
                f"= {result.rate:8.0f} mentions/s (CPU {result.cpu_seconds:.1f}s = {result.cpu_rate:.0f}/s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
