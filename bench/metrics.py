"""Metrics on a million tickets: rising tags and the 12-month series, on SQLite and PostgreSQL.

    .venv/bin/python bench/metrics.py    # SQLite; generates /tmp/desk_metrics_1m.sqlite once
    .venv/bin/python bench/metrics.py --postgres postgresql://postgres@127.0.0.1:5432/desk_bench --no-sqlite

The per-ticket facts (`ticket_facts`) are filled after the bulk load by `metrics.fact_rebuild.rebuild`, the
code of `desk metrics rebuild-facts` and of 0007's backfill (`communitydesk.upgrades`), with the docs base
the queries use.

The database is generated once (bulk inserts of rows shaped like the desk's own: 13 months of tickets
with growth, channels, stages, Zipf-distributed tags with a few rising ones, audit events for intake,
first responses, outreach and expert answers, notes with docs links, docs issues) and reused while it
holds `--tickets` tickets; `--regenerate` rebuilds it. Each query runs `--runs` times through
`communitydesk.metrics.service`; the median is printed beside plain COUNT(*) baselines of the same run.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from communitydesk.db.engine import make_engine, make_session_factory, transaction
from communitydesk.metrics import counts, docs_first, durations, fact_rebuild, outreach, service, trends
from communitydesk.metrics.schemas import MetricsFilter, Period
from communitydesk.upgrades import upgrade_database
from communitydesk.users import service as users

END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=396)  # 13 months
CHANNELS = ["twitter", "reddit", "hackernews", "forum", "blog_comment", "docs_comment", "zendesk", "other"]
CHANNEL_WEIGHTS = [35, 15, 10, 20, 5, 5, 8, 2]
STAGES = ["verify", "create", "plan", "package", "secure", "deploy", "monitor", "govern", "manage", "systems"]
TAGS = [f"topic-{n:03d}" for n in range(300)]
TAG_WEIGHTS = [1 / (rank + 1) for rank in range(len(TAGS))]
RISING = ["rising-runner-oom", "rising-pages-404", "rising-sso-loop"]  # used mostly in the last 40 days
REACHED, RESPONDED, RESPONSE, ANSWER = (
    "Reached out to expert",
    "Expert Responded",
    "Expert Response",
    "Docs answer",
)
DOCS = "https://docs.gitlab.com/"
CHUNK = 20_000


@dataclass
class Rows:
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    tags: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[Any, ...]] = field(default_factory=list)


TICKET_COLUMNS = "id, status, subject, channel, stage, group_name, created_at, updated_at, solved_at"
TAG_COLUMNS = "ticket_id, name, created_at"
EVENT_COLUMNS = "ticket_id, actor_id, actor_label, action, field, old_value, new_value, macro, created_at"
NOTE_COLUMNS = "ticket_id, author_id, author_label, body, created_at"
LINK_COLUMNS = "ticket_id, kind, target_url, created_at"


def generate(count: int, user_id: int, seed: int = 11) -> Iterator[Rows]:
    """Yield rows in chunks; every ticket's history is consistent with what the desk itself writes."""
    rng = random.Random(seed)
    span = (END - START).total_seconds()
    rows = Rows()
    for ticket_id in range(1, count + 1):
        created = START + timedelta(seconds=span * math.sqrt(rng.random()))  # growing volume
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        stage = rng.choice(STAGES) if rng.random() < 0.6 else None
        group = f"{stage}-g{rng.randrange(3)}" if stage else None
        events = rows.events

        def by_advocate(*values: Any, ticket_id: int = ticket_id) -> tuple[Any, ...]:
            return (ticket_id, user_id, "advocate", *values)

        events.append((ticket_id, None, "intake", "created", None, None, "subject", None, created))
        names = set(rng.choices(TAGS, TAG_WEIGHTS, k=rng.choice((0, 1, 1, 2, 2, 3))))
        if rng.random() < (0.02 if (END - created).days < 40 else 0.002):
            names.add(rng.choice(RISING))
        for name in names:
            at = created + timedelta(seconds=rng.randrange(3600))
            rows.tags.append((ticket_id, name, at))
            events.append((ticket_id, user_id, "advocate", "tag_added", "tags", None, name, None, at))
        status, solved_at = rng.choices(["new", "open", "pending", "solved"], [10, 15, 5, 70])[0], None
        last = created
        if rng.random() < 0.08:  # expert outreach
            reached = created + timedelta(seconds=rng.expovariate(1 / 7200))
            expert = f"Expert {rng.randrange(60)}"
            events += [
                by_advocate("macro_applied", None, None, REACHED, REACHED, reached),
                by_advocate("tag_added", "tags", None, "reached-out-to-expert", REACHED, reached),
                by_advocate("status", "status", "new", "open", REACHED, reached),
                by_advocate("note_added", None, None, f"Reached out to {expert} about x", REACHED, reached),
            ]
            rows.tags.append((ticket_id, "reached-out-to-expert", reached))
            rows.notes.append((ticket_id, user_id, "advocate", f"Reached out to {expert} about x", reached))
            status, last = "open", reached
            if rng.random() < 0.7:
                answered = reached + timedelta(seconds=rng.expovariate(1 / (36 * 3600)))
                note = f"Expert response by {expert} (https://example.com/a/{ticket_id})."
                events += [
                    by_advocate("note_added", None, None, note, None, answered),
                    by_advocate("macro_applied", None, None, RESPONDED, RESPONDED, answered),
                    by_advocate("tag_added", "tags", None, "expert-responded", RESPONDED, answered),
                    by_advocate("status", "status", "open", "solved", RESPONDED, answered),
                ]
                rows.tags.append((ticket_id, "expert-responded", answered))
                rows.notes.append((ticket_id, user_id, "advocate", note, answered))
                status, solved_at, last = "solved", answered, answered
        elif rng.random() < 0.75:  # a first response by an advocate
            responded = created + timedelta(seconds=rng.expovariate(1 / (6 * 3600)))
            events.append(
                (ticket_id, user_id, "advocate", "macro_applied", None, None, ANSWER, ANSWER, responded)
            )
            last = responded
            if status == "solved":
                events.append(
                    (ticket_id, user_id, "advocate", "status", "status", "new", "solved", ANSWER, responded)
                )
                solved_at = responded
        if status == "solved" and solved_at is None:
            solved_at = last + timedelta(seconds=rng.expovariate(1 / (24 * 3600)))
            events.append(
                (ticket_id, user_id, "advocate", "status", "status", "open", "solved", None, solved_at)
            )
        if solved_at is not None and rng.random() < 0.25:
            body = f"Answered with {DOCS}ee/topic/{rng.randrange(500)}/"
            rows.notes.append((ticket_id, user_id, "advocate", body, solved_at))
            events.append((ticket_id, user_id, "advocate", "note_added", None, None, body, None, solved_at))
        if rng.random() < 0.005:
            filed = created + timedelta(days=1)
            rows.links.append(
                (ticket_id, "docs_issue", f"https://gitlab.com/docs/-/issues/{ticket_id}", filed)
            )
        rows.tickets.append(
            (ticket_id, status, f"mention {ticket_id}", channel, stage, group, created, last, solved_at)
        )
        if len(rows.tickets) == CHUNK:
            yield rows
            rows = Rows()
    if rows.tickets:
        yield rows


def _sqlite_value(value: Any) -> Any:
    # SQLAlchemy stores DateTime on SQLite as naive UTC text in this exact format.
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def load_sqlite(path: Path, count: int, user_id: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-500000")  # 500 MB while loading
    # Loading into tables without their secondary indexes, then building them, is many times faster.
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    for rows in generate(count, user_id):
        for table, columns, values in _tables(rows):
            marks = ", ".join("?" * len(columns.split(",")))
            connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                ([_sqlite_value(v) for v in row] for row in values),
            )
        connection.commit()
        print(f"\r  {rows.tickets[-1][0]:,} tickets", end="", flush=True)
    print()
    for _, sql in indexes:
        connection.execute(sql)
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()


def load_postgres(engine: Engine, count: int, user_id: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:  # built again after the load, which is much faster
            cursor.execute(f'DROP INDEX "{name}"')
        for rows in generate(count, user_id):
            for table, columns, values in _tables(rows):
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in values:
                        copy.write_row(row)
            raw.commit()
            print(f"\r  {rows.tickets[-1][0]:,} tickets", end="", flush=True)
        print()
        for _, sql in indexes:
            cursor.execute(sql)
        cursor.execute("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _tables(rows: Rows) -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    return [
        ("tickets", TICKET_COLUMNS, rows.tickets),
        ("ticket_tags", TAG_COLUMNS, rows.tags),
        ("audit_events", EVENT_COLUMNS, rows.events),
        ("ticket_notes", NOTE_COLUMNS, rows.notes),
        ("ticket_links", LINK_COLUMNS, rows.links),
    ]


def prepare(url: str, count: int, regenerate: bool) -> Engine:
    """Return an engine on a database holding `count` generated tickets, generating it when needed."""
    engine = make_engine(url)
    if not regenerate:
        try:
            with engine.connect() as connection:
                reuse = connection.execute(text("SELECT count(*) FROM tickets")).scalar() == count
        except Exception:  # no schema yet
            reuse = False
        if reuse:
            started = time.perf_counter()
            upgrade_database(engine)  # a database from before 0007 gets its facts backfilled here
            print(f"migrated to the head revision in {time.perf_counter() - started:.1f} s")
            rebuild_facts(engine)
            return engine
    print(f"generating {count:,} tickets into {make_url(url).render_as_string()}")
    started = time.perf_counter()
    if engine.dialect.name == "sqlite":
        engine.dispose()
        Path(make_url(url).database or "").unlink(missing_ok=True)
        engine = make_engine(url)
    else:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    with transaction(make_session_factory(engine)) as session:
        user_id = users.create(
            session, email="bench@example.com", name="Bench", role="advocate", password="bench-password"
        ).id
    if engine.dialect.name == "sqlite":
        load_sqlite(Path(make_url(url).database or ""), count, user_id)
    else:
        load_postgres(engine, count, user_id)
    print(f"generated in {time.perf_counter() - started:.0f} s")
    rebuild_facts(engine)
    return engine


def rebuild_facts(engine: Engine) -> None:
    """Fill `ticket_facts` as `desk metrics rebuild-facts` does (the same code), with the docs base.

    The bulk load bypasses the desk's services, so the facts are computed from the loaded trail here;
    a database whose facts already hold the docs base is left as it is.
    """
    with transaction(make_session_factory(engine)) as session:
        if fact_rebuild.stored_docs_url_bases(session) == [DOCS]:
            return
        started = time.perf_counter()
        rows = fact_rebuild.rebuild(session, [DOCS])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE ticket_facts"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE ticket_facts"))
    print(f"rebuilt the facts of {rows:,} tickets in {time.perf_counter() - started:.0f} s")


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float, float]:
    """Return the median and minimum wall time and the median CPU time of this process, in milliseconds.

    On SQLite the query runs in this process, so its CPU time is the query's cost with the waits for
    other programs on a busy machine left out; on PostgreSQL the work is in the server and only wall
    time means anything.
    """
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), min(times), statistics.median(cpu)


def bench(engine: Engine, runs: int) -> None:
    sessions = make_session_factory(engine)
    months = Period.month("2026-10").months_back(12)
    everything, forum = MetricsFilter(), MetricsFilter(channel="forum")
    docs = [DOCS]

    def scalar(sql: str) -> Callable[[Session], object]:
        return lambda session: session.execute(text(sql)).scalar()

    cases: list[tuple[str, Callable[[Session], object]]] = [
        ("baseline: SELECT count(*) FROM tickets", scalar("SELECT count(*) FROM tickets")),
        ("baseline: SELECT count(*) FROM ticket_tags", scalar("SELECT count(*) FROM ticket_tags")),
        ("rising tags (30 d vs 30 d)", lambda s: trends.tag_trends(s, END, everything, min_volume=3)),
        ("rising tags, channel=forum", lambda s: trends.tag_trends(s, END, forum, min_volume=3)),
        (
            "monthly series (12 months, all metrics)",
            lambda s: service.monthly_series(s, months, everything, docs),
        ),
        ("  tickets created", lambda s: counts.tickets_created_by_period(s, months, everything)),
        ("  outreach + responded + answered", lambda s: outreach.outreach_by_period(s, months, everything)),
        ("  time to expert answer", lambda s: durations.expert_answer_time_by_period(s, months, everything)),
        (
            "  time to first response",
            lambda s: durations.first_response_time_by_period(s, months, everything),
        ),
        ("  docs-first + docs gaps", lambda s: docs_first.docs_first_by_period(s, months, everything, docs)),
        ("monthly series, channel=forum", lambda s: service.monthly_series(s, months, forum, docs)),
        ("  tickets created", lambda s: counts.tickets_created_by_period(s, months, forum)),
        ("  outreach + responded + answered", lambda s: outreach.outreach_by_period(s, months, forum)),
        ("  time to expert answer", lambda s: durations.expert_answer_time_by_period(s, months, forum)),
        ("  time to first response", lambda s: durations.first_response_time_by_period(s, months, forum)),
        ("  docs-first + docs gaps", lambda s: docs_first.docs_first_by_period(s, months, forum, docs)),
    ]
    with sessions() as session:
        sizes = {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("tickets", "ticket_tags", "audit_events", "ticket_notes", "ticket_links")
        }
        print(f"{engine.dialect.name}: " + ", ".join(f"{table} {n:,}" for table, n in sizes.items()))
        print(f"  {'query':<44} {'median ms':>10} {'min ms':>8} {'cpu ms':>8}")
        for name, work in cases:
            work(session)  # warm the cache once, as a running desk is
            median, fastest, cpu = timed(runs, lambda work=work: work(session))  # type: ignore[misc]
            print(f"  {name:<44} {median:>10.1f} {fastest:>8.1f} {cpu:>8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default="/tmp/desk_metrics_1m.sqlite", help="SQLite file (reused)")
    parser.add_argument("--postgres", help="PostgreSQL URL (wiped when generated), e.g. .../desk_bench")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--regenerate", action="store_true", help="Rebuild the database even if it exists")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    urls = ([] if args.no_sqlite else [f"sqlite:///{args.sqlite}"]) + (
        [args.postgres] if args.postgres else []
    )
    for url in urls:
        engine = prepare(url, args.tickets, args.regenerate)
        bench(engine, args.runs)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
