"""Build the Discourse source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import DiscourseSettings, Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.discourse.source import DiscourseSource
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client


def api_headers(section: DiscourseSettings) -> dict[str, str]:
    """Return the Api-Key/Api-Username headers, or none for a public forum read anonymously."""
    key = section.api_key.get_secret_value()
    return {"Api-Key": key, "Api-Username": section.api_username} if key else {}


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> DiscourseSource:
    """Return the Discourse source with its API client (closed with the stack)."""
    section = settings.discourse
    if not section.base_url:
        raise CredentialsError("discourse needs the forum URL: set DESK_DISCOURSE__BASE_URL")
    client = stack.enter_context(make_client(section, headers=api_headers(section), transport=transport))
    api = JsonApi(
        client,
        provider="discourse",
        retry=RetryPolicy.from_settings(section),
        sleep=sleep,
        credentials_hint="; check DESK_DISCOURSE__API_KEY and DESK_DISCOURSE__API_USERNAME",
    )
    return DiscourseSource(section, api=api, now=now)
