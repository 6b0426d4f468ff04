"""`desk ingest <source>` and `desk sources`: summary line, --since, clear errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.cli.sources import parse_since
from communitydesk.runtime import Desk
from tests.fakes.hackernews import FakeHackerNews, comment_hit


@pytest.fixture
def fake(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHackerNews]:
    now = int(time.time())
    hits = [comment_hit(20_000_000 + n, now - 3600 * (n + 1), f"GitLab pipelines {n}") for n in range(12)]
    fake = FakeHackerNews(httpserver, hits=hits).install()
    monkeypatch.setenv("DESK_HACKERNEWS__BASE_URL", fake.base_url)
    monkeypatch.setenv("DESK_HACKERNEWS__FIREBASE_URL", fake.firebase_url)
    monkeypatch.setenv("DESK_HACKERNEWS__HITS_PER_PAGE", "5")
    monkeypatch.setenv("DESK_WATCH__KEYWORDS", json.dumps(["gitlab"]))
    yield fake


def test_ingest_prints_the_summary_and_a_second_run_adds_nothing(
    desk: Desk, cli: CliRunner, fake: FakeHackerNews
) -> None:
    first = cli.invoke(app, ["ingest", "hackernews"])
    second = cli.invoke(app, ["ingest", "hackernews"])

    # The default backfill window is 24 hours: 12 hits an hour apart, the oldest 12 hours ago.
    assert first.exit_code == 0, first.output
    assert "hackernews: fetched 12, 12 new, 0 duplicate, 0 rejected, 0 skipped (3 pages)" in first.output
    assert second.exit_code == 0, second.output
    assert "fetched 0, 0 new" in second.output

    listed = cli.invoke(app, ["sources", "list"])
    assert "hackernews" in listed.output and "yes" in listed.output


def test_since_backfills_and_reset_forgets_the_cursor(
    desk: Desk, cli: CliRunner, fake: FakeHackerNews
) -> None:
    cli.invoke(app, ["ingest", "hackernews", "--since", "6h"])
    backfill = cli.invoke(app, ["ingest", "hackernews", "--since", "2d", "--max-pages", "1"])
    reset = cli.invoke(app, ["sources", "reset", "hackernews"])

    assert "fetched 5, 0 new, 5 duplicate" in backfill.output
    assert "1 cursors removed" in reset.output


def test_a_disabled_source_and_missing_credentials_are_clear_errors(
    desk: Desk, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    disabled = cli.invoke(app, ["ingest", "reddit"])
    monkeypatch.setenv("DESK_REDDIT__ENABLED", "true")
    no_credentials = cli.invoke(app, ["ingest", "reddit"])
    refused = cli.invoke(app, ["ingest", "hackernews", "--since", "yesterday-ish"])

    assert disabled.exit_code == 1 and "DESK_REDDIT__ENABLED=true" in disabled.output
    assert no_credentials.exit_code == 1 and "DESK_REDDIT__CLIENT_ID" in no_credentials.output
    assert refused.exit_code == 2 and "neither an ISO date" in refused.output


def test_an_unreachable_provider_is_a_clear_error(
    desk: Desk, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_HACKERNEWS__BASE_URL", "http://127.0.0.1:9/api/v1")  # discard port: refused
    monkeypatch.setenv("DESK_HACKERNEWS__MAX_RETRIES", "0")

    result = cli.invoke(app, ["ingest", "hackernews"])

    assert result.exit_code == 1
    assert "cannot reach http://127.0.0.1:9/api/v1" in result.output


def test_parse_since() -> None:
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T10:00:00+02:00") == datetime(2026, 11, 1, 8, tzinfo=UTC)
    moment = parse_since("7d")
    assert moment is not None and abs(datetime.now(UTC) - timedelta(days=7) - moment) < timedelta(seconds=5)
