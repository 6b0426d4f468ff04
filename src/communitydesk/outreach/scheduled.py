"""The worker's outreach task: retry queued requests and post due reminders, every few minutes."""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey
from huey.exceptions import TaskLockedException

from communitydesk.db.base import utcnow
from communitydesk.db.engine import transaction
from communitydesk.intake.scheduled import schedule_for
from communitydesk.integrations.slack.client import SlackClient
from communitydesk.outreach import flows, service
from communitydesk.runtime import Desk

logger = logging.getLogger(__name__)


def run_outreach_once(desk: Desk) -> tuple[flows.QueueReport, flows.NudgeReport] | None:
    """Retry due outreach, then post due reminders; None when Slack is not set up (nothing to do)."""
    if not desk.settings.slack.bot_token.get_secret_value():
        return None

    def client() -> SlackClient:
        return SlackClient(desk.settings.slack)

    with transaction(desk.sessions) as session:
        service.prune_events(session, utcnow() - service.EVENT_MEMORY)
    queue = flows.retry_due(desk, client)
    follow_ups = flows.send_follow_ups(desk, client)
    logger.info("%s; %s", queue.summary(), follow_ups.summary())
    return queue, follow_ups


def register_outreach(huey: Huey, desk: Desk) -> Any:
    """Register the periodic outreach task (locked, so runs never overlap); return it."""

    def outreach() -> None:
        try:
            with huey.lock_task("outreach"):
                run_outreach_once(desk)
        except TaskLockedException:
            logger.info("outreach: the previous run is still going; skipping this one")

    return huey.periodic_task(schedule_for(desk.settings.outreach.interval_minutes), name="outreach")(
        outreach
    )
