"""Build the Hacker News source from settings."""

from __future__ import annotations

from communitydesk.config import Settings
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.hackernews.source import HackerNewsSource
from communitydesk.integrations.registry import Connections


def build(settings: Settings, connections: Connections) -> HackerNewsSource:
    """Return the HN source with its Algolia and Firebase clients."""
    section = settings.hackernews
    keywords = settings.watch_keywords(section)
    if not keywords:
        raise IntegrationError("hackernews: nothing to watch; set DESK_WATCH__KEYWORDS or DESK_COMPANY_NAMES")
    return HackerNewsSource(
        section,
        keywords,
        algolia=connections.api(section, "hackernews (Algolia)"),
        firebase=connections.api(section, "hackernews (Firebase)", base_url=section.firebase_url),
        now=connections.now,
    )
