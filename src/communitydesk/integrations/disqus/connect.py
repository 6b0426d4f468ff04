"""Build the Disqus source from settings."""

from __future__ import annotations

from communitydesk.config import Settings
from communitydesk.integrations.base import CredentialsError
from communitydesk.integrations.disqus.source import DisqusSource
from communitydesk.integrations.registry import Connections


def build(settings: Settings, connections: Connections) -> DisqusSource:
    """Return the Disqus source; refuse to start without an API key and forums."""
    section = settings.disqus
    if not section.api_key.get_secret_value():
        raise CredentialsError("disqus needs the application's public key: set DESK_DISQUS__API_KEY")
    if not section.forums:
        raise CredentialsError('disqus has no forums to read: set DESK_DISQUS__FORUMS, e.g. ["acme-blog"]')
    return DisqusSource(section, api=connections.api(section, "disqus"), now=connections.now)
