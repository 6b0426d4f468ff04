"""Build the X source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client
from communitydesk.integrations.x.source import XSource


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> XSource:
    """Return the X source; refuse to start without a bearer token."""
    section = settings.x
    token = section.bearer_token.get_secret_value()
    if not token:
        raise CredentialsError("x needs an app-only bearer token: set DESK_X__BEARER_TOKEN")
    headers = {"Authorization": f"Bearer {token}"}
    client = stack.enter_context(make_client(section, headers=headers, transport=transport))
    api = JsonApi(
        client,
        provider="x",
        retry=RetryPolicy.from_settings(section),
        sleep=sleep,
        credentials_hint="; check DESK_X__BEARER_TOKEN",
    )
    return XSource(section, settings.watch_keywords(section), api=api, now=now)
