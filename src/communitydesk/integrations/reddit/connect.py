"""Build the Reddit source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client
from communitydesk.integrations.reddit.source import RedditSource, RedditToken


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> RedditSource:
    """Return the Reddit source; refuse to start without the script app's credentials."""
    section = settings.reddit
    if not section.has_credentials:
        raise CredentialsError(
            "reddit needs an approved script app: set DESK_REDDIT__CLIENT_ID, DESK_REDDIT__CLIENT_SECRET, "
            "DESK_REDDIT__USERNAME and DESK_REDDIT__PASSWORD"
        )
    headers = {"User-Agent": section.user_agent}
    api_client = stack.enter_context(make_client(section, headers=headers, transport=transport))
    token_client = stack.enter_context(
        make_client(section, base_url="", headers=headers, transport=transport)
    )
    api = JsonApi(
        api_client,
        provider="reddit",
        retry=RetryPolicy.from_settings(section),
        sleep=sleep,
        credentials_hint="; check the script app's credentials and its approval",
    )
    return RedditSource(
        section, settings.watch_keywords(section), api=api, token=RedditToken(section, token_client), now=now
    )
