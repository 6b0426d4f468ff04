"""Build the Zendesk source from settings."""

from __future__ import annotations

import httpx

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.registry import Connections
from communitydesk.integrations.zendesk.source import ZendeskSource


def build(settings: Settings, connections: Connections) -> ZendeskSource:
    """Return the Zendesk source; refuse to start without the account URL and an API token."""
    section = settings.zendesk
    if not (section.base_url and section.email and section.api_token.get_secret_value()):
        raise CredentialsError(
            "zendesk needs DESK_ZENDESK__BASE_URL (https://<subdomain>.zendesk.com/api/v2), "
            "DESK_ZENDESK__EMAIL and DESK_ZENDESK__API_TOKEN"
        )
    api = connections.api(
        section,
        "zendesk",
        auth=httpx.BasicAuth(f"{section.email}/token", section.api_token.get_secret_value()),
        credentials_hint="; check DESK_ZENDESK__EMAIL and DESK_ZENDESK__API_TOKEN",
    )
    return ZendeskSource(section, api=api, now=connections.now)
