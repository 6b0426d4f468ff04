"""Build the Disqus source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.disqus.source import DisqusSource
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> DisqusSource:
    """Return the Disqus source; refuse to start without an API key and forums."""
    section = settings.disqus
    if not section.api_key.get_secret_value():
        raise CredentialsError("disqus needs the application's public key: set DESK_DISQUS__API_KEY")
    if not section.forums:
        raise CredentialsError('disqus has no forums to read: set DESK_DISQUS__FORUMS, e.g. ["acme-blog"]')
    client = stack.enter_context(make_client(section, transport=transport))
    api = JsonApi(client, provider="disqus", retry=RetryPolicy.from_settings(section), sleep=sleep)
    return DisqusSource(section, api=api, now=now)
