"""Poll a configured source by name: what `desk ingest <source>` and the worker call."""

from __future__ import annotations

import time
from datetime import datetime

from communitydesk.intake.flows import PollReport, ProgressHook, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.http import Sleeper
from communitydesk.integrations.registry import open_source
from communitydesk.runtime import Desk


class SourceDisabled(IntegrationError):
    """The source is switched off in settings."""


def poll_named_source(
    desk: Desk,
    name: str,
    *,
    since: datetime | None = None,
    max_pages: int | None = None,
    trigger: str = "cli",
    on_page: ProgressHook | None = None,
    sleep: Sleeper = time.sleep,
) -> PollReport:
    """Open the configured source and poll every scope of it."""
    section = getattr(desk.settings, name, None)
    if section is not None and not section.enabled:
        raise SourceDisabled(f"{name} is disabled; set DESK_{name.upper()}__ENABLED=true to use it")
    with open_source(name, desk.settings, sleep=sleep) as source:
        return poll_source(
            desk,
            source,
            watch=rules_for(desk.settings, name),
            since=since,
            max_pages=max_pages,
            trigger=trigger,
            on_page=on_page,
        )
