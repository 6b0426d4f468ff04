"""Build the Discourse source from settings."""

from __future__ import annotations

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.discourse.source import DiscourseSource
from communitydesk.integrations.registry import Connections
from communitydesk.settings.intake import DiscourseSettings


def api_headers(section: DiscourseSettings) -> dict[str, str]:
    """Return the Api-Key/Api-Username headers, or none for a public forum read anonymously."""
    key = section.api_key.get_secret_value()
    return {"Api-Key": key, "Api-Username": section.api_username} if key else {}


def build(settings: Settings, connections: Connections) -> DiscourseSource:
    """Return the Discourse source with its API client."""
    section = settings.discourse
    if not section.base_url:
        raise CredentialsError("discourse needs the forum URL: set DESK_DISCOURSE__BASE_URL")
    api = connections.api(
        section,
        "discourse",
        headers=api_headers(section),
        credentials_hint="; check DESK_DISCOURSE__API_KEY and DESK_DISCOURSE__API_USERNAME",
    )
    return DiscourseSource(section, api=api, now=connections.now)
