"""`desk ingest hackernews` killed with SIGKILL mid-run resumes where it stopped: every item exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import distinct, func, select

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.tickets.models import Ticket
from tests.fakes.hackernews import FakeHackerNews, comment_hit

ITEMS = 60
PER_PAGE = 5
ROOT = Path(__file__).parents[2]


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeHackerNews]:
    now = int(time.time())
    hits = [
        comment_hit(30_000_000 + n, now - 7200 + 60 * n, f"GitLab runner question {n}") for n in range(ITEMS)
    ]
    yield FakeHackerNews(httpserver, hits=hits).install()


def _env(fake: FakeHackerNews) -> dict[str, str]:
    return {
        **os.environ,  # DESK_DATABASE_URL and friends, set by the settings fixture
        "DESK_HACKERNEWS__BASE_URL": fake.base_url,
        "DESK_HACKERNEWS__FIREBASE_URL": fake.firebase_url,
        "DESK_HACKERNEWS__HITS_PER_PAGE": str(PER_PAGE),
        "DESK_HACKERNEWS__SETTLE_SECONDS": "0",
        "DESK_WATCH__KEYWORDS": json.dumps(["gitlab"]),
        "COLUMNS": "200",
    }


def _ingest(fake: FakeHackerNews) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "communitydesk", "ingest", "hackernews"],
        env=_env(fake),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_run_then_a_rerun_stores_every_item_exactly_once(
    desk: Desk, fake: FakeHackerNews
) -> None:
    fake.delay_seconds = 0.3  # slow pages, so the kill lands mid-run
    process = _ingest(fake)
    deadline = time.monotonic() + 60
    while fake.pages_served() < 4:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the ingest never reached page 4"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    served_before_kill = fake.pages_served()

    with desk.sessions() as session:
        stored_at_kill = session.scalar(select(func.count()).select_from(Mention)) or 0
    assert 0 < stored_at_kill < ITEMS and stored_at_kill % PER_PAGE == 0  # whole pages only

    fake.delay_seconds = 0
    rerun = _ingest(fake)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err

    resumed_at = int(fake.searches[served_before_kill]["page"])
    assert resumed_at == stored_at_kill // PER_PAGE  # the first page not committed, not page 0
    assert f"{ITEMS - stored_at_kill} new, 0 duplicate, 0 rejected" in out
    with desk.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Mention))
        distinct_ids = session.scalar(select(func.count(distinct(Mention.external_id))))
        tickets = session.scalar(select(func.count()).select_from(Ticket))
    assert total == distinct_ids == tickets == ITEMS
