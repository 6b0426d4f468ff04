"""`desk worker`: Huey periodic polls per enabled source, run through a real consumer on SqliteHuey."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from huey.signals import SIGNAL_COMPLETE
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.config import Settings
from communitydesk.intake.scheduled import make_huey, register_polls, schedule_for
from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from tests.fakes.hackernews import FakeHackerNews, comment_hit


@pytest.fixture
def fake(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHackerNews]:
    now = int(time.time())
    hits = [comment_hit(10_000_000 + n, now - 600 * (n + 1), f"GitLab {n}") for n in range(4)]
    fake = FakeHackerNews(httpserver, hits=hits).install()
    monkeypatch.setenv("DESK_HACKERNEWS__BASE_URL", fake.base_url)
    monkeypatch.setenv("DESK_HACKERNEWS__FIREBASE_URL", fake.firebase_url)
    monkeypatch.setenv("DESK_WATCH__KEYWORDS", json.dumps(["gitlab"]))
    yield fake


def _desk(desk: Desk) -> Desk:
    return Desk(settings=Settings(), engine=desk.engine, sessions=desk.sessions, macros=desk.macros)


def mentions(desk: Desk) -> int:
    with desk.sessions() as session:
        return session.scalar(select(func.count()).select_from(Mention)) or 0


def test_a_consumer_runs_the_poll_task_of_each_enabled_source(
    desk: Desk, fake: FakeHackerNews, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_REDDIT__ENABLED", "true")  # enabled without credentials: logged, not raised
    worker_desk = _desk(desk)
    huey = make_huey(worker_desk.settings)
    tasks = register_polls(huey, worker_desk)
    assert sorted(tasks) == ["hackernews", "reddit"]

    completed: list[str] = []
    huey.signal(SIGNAL_COMPLETE)(lambda _signal, task, *_: completed.append(task.name))
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        tasks["hackernews"]()
        tasks["reddit"]()
        deadline = time.monotonic() + 30
        while len(completed) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    assert sorted(completed) == ["poll_hackernews", "poll_reddit"]
    assert mentions(desk) == 4
    assert Path(worker_desk.settings.data_dir / "worker.db").is_file()


def test_worker_once_polls_every_enabled_source(desk: Desk, cli: CliRunner, fake: FakeHackerNews) -> None:
    result = cli.invoke(app, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert mentions(desk) == 4


def test_schedules_and_backend_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    every_five = schedule_for(5)
    assert every_five(datetime(2026, 1, 1, 0, 5)) and not every_five(datetime(2026, 1, 1, 0, 6))
    assert schedule_for(120)(datetime(2026, 1, 1, 2, 0)) and not schedule_for(120)(datetime(2026, 1, 1, 3, 0))
    with pytest.raises(ValueError, match="Redis"):
        make_huey(Settings(worker={"backend": "redis"}, data_dir=tmp_path))
    with pytest.raises(ValueError, match="postgresql://"):
        make_huey(Settings(worker={"backend": "postgres"}, database_url=f"sqlite:///{tmp_path}/x.db"))
