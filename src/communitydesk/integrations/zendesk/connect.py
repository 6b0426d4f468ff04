"""Build the Zendesk source from settings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client
from communitydesk.integrations.zendesk.source import ZendeskSource


def build(
    settings: Settings,
    *,
    stack: ExitStack,
    sleep: Sleeper,
    now: Callable[[], datetime],
    transport: httpx.BaseTransport | None,
) -> ZendeskSource:
    """Return the Zendesk source; refuse to start without the account URL and an API token."""
    section = settings.zendesk
    if not (section.base_url and section.email and section.api_token.get_secret_value()):
        raise CredentialsError(
            "zendesk needs DESK_ZENDESK__BASE_URL (https://<subdomain>.zendesk.com/api/v2), "
            "DESK_ZENDESK__EMAIL and DESK_ZENDESK__API_TOKEN"
        )
    client = stack.enter_context(make_client(section, transport=transport))
    client.auth = httpx.BasicAuth(f"{section.email}/token", section.api_token.get_secret_value())
    api = JsonApi(
        client,
        provider="zendesk",
        retry=RetryPolicy.from_settings(section),
        sleep=sleep,
        credentials_hint="; check DESK_ZENDESK__EMAIL and DESK_ZENDESK__API_TOKEN",
    )
    return ZendeskSource(section, api=api, now=now)
