"""Build the X source from settings."""

from __future__ import annotations

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.registry import Connections
from communitydesk.integrations.x.source import XSource


def build(settings: Settings, connections: Connections) -> XSource:
    """Return the X source; refuse to start without a bearer token."""
    section = settings.x
    token = section.bearer_token.get_secret_value()
    if not token:
        raise CredentialsError("x needs an app-only bearer token: set DESK_X__BEARER_TOKEN")
    api = connections.api(
        section,
        "x",
        headers={"Authorization": f"Bearer {token}"},
        credentials_hint="; check DESK_X__BEARER_TOKEN",
    )
    return XSource(section, settings.watch_keywords(section), api=api, now=connections.now)
