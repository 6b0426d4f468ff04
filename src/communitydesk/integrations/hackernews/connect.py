"""Build the Hacker News source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.hackernews.source import HackerNewsSource
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> HackerNewsSource:
    """Return the HN source with its Algolia and Firebase clients (closed with the stack)."""
    section = settings.hackernews
    keywords = settings.watch_keywords(section)
    if not keywords:
        raise IntegrationError("hackernews: nothing to watch; set DESK_WATCH__KEYWORDS or DESK_COMPANY_NAMES")
    retry = RetryPolicy.from_settings(section)
    algolia = stack.enter_context(make_client(section, transport=transport))
    firebase = stack.enter_context(make_client(section, base_url=section.firebase_url, transport=transport))
    return HackerNewsSource(
        section,
        keywords,
        algolia=JsonApi(algolia, provider="hackernews (Algolia)", retry=retry, sleep=sleep),
        firebase=JsonApi(firebase, provider="hackernews (Firebase)", retry=retry, sleep=sleep),
        now=now,
    )
