"""Build the Reddit source from settings."""

from __future__ import annotations

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.reddit.source import RedditSource, RedditToken
from communitydesk.integrations.registry import Connections


def build(settings: Settings, connections: Connections) -> RedditSource:
    """Return the Reddit source; refuse to start without the script app's credentials."""
    section = settings.reddit
    if not section.has_credentials:
        raise CredentialsError(
            "reddit needs an approved script app: set DESK_REDDIT__CLIENT_ID, DESK_REDDIT__CLIENT_SECRET, "
            "DESK_REDDIT__USERNAME and DESK_REDDIT__PASSWORD"
        )
    headers = {"User-Agent": section.user_agent}
    api = connections.api(
        section,
        "reddit",
        headers=headers,
        credentials_hint="; check the script app's credentials and its approval",
    )
    token = RedditToken(section, connections.client(section, base_url="", headers=headers))
    return RedditSource(section, settings.watch_keywords(section), api=api, token=token, now=connections.now)
