"""Periodic polls of every enabled source, run by Huey (`desk worker`).

The queue lives in a SQLite file in the data folder by default, in Redis or PostgreSQL by setting. Each
source gets a periodic task at its poll interval, guarded by a lock so a slow poll never overlaps the
next one. Huey runs periodic tasks in every consumer: run one `desk worker` per deployment (or start the
others with --no-periodic).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import TaskLockedException

from communitydesk.config import Settings
from communitydesk.intake.flows import PollReport
from communitydesk.intake.runner import poll_named_source
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.registry import enabled_sources
from communitydesk.runtime import Desk

logger = logging.getLogger(__name__)
QUEUE_NAME = "communitydesk"


def make_huey(settings: Settings) -> Huey:
    """Return the Huey instance of the configured queue backend."""
    worker = settings.worker
    if worker.backend == "redis":
        if not worker.url:
            raise ValueError("DESK_WORKER__URL must name the Redis server, e.g. redis://127.0.0.1:6379/0")
        return RedisHuey(QUEUE_NAME, url=worker.url)
    if worker.backend == "postgres":
        url = worker.url or settings.resolved_database_url
        if not url.startswith("postgresql"):
            raise ValueError("DESK_WORKER__URL must be a postgresql:// URL for the postgres backend")
        return PostgresHuey(QUEUE_NAME, dsn=url.replace("postgresql+psycopg://", "postgresql://"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / "worker.db"))


def schedule_for(minutes: int) -> Callable[[datetime], bool]:
    """Return a Huey crontab that fires every `minutes` minutes (whole hours above 59)."""
    if minutes >= 60:
        return crontab(minute="0", hour=f"*/{max(1, minutes // 60)}")  # type: ignore[no-any-return]
    return crontab(minute=f"*/{max(1, minutes)}")  # type: ignore[no-any-return]


def poll_once(desk: Desk, name: str, *, trigger: str = "worker") -> PollReport | None:
    """Poll one source and log the outcome; a provider error is logged, never raised."""
    try:
        report = poll_named_source(desk, name, trigger=trigger)
    except IntegrationError as exc:
        logger.error("%s: %s", name, exc)
        return None
    logger.info("%s", report.summary())
    if report.error:
        logger.error("%s stopped early: %s", name, report.error)
    return report


def register_polls(huey: Huey, desk: Desk) -> dict[str, Any]:
    """Register one periodic poll task per enabled source; return the tasks by source name."""
    tasks: dict[str, Any] = {}
    for name in enabled_sources(desk.settings):
        section = getattr(desk.settings, name, None)
        minutes = section.poll_interval_minutes if section is not None else 5

        def poll(name: str = name) -> None:
            try:
                with huey.lock_task(f"poll-{name}"):
                    poll_once(desk, name)
            except TaskLockedException:
                logger.info("%s: the previous poll is still running; skipping this one", name)

        tasks[name] = huey.periodic_task(schedule_for(minutes), name=f"poll_{name}")(poll)
    return tasks
