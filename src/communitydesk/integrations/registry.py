"""Build a configured source by name, with its HTTP clients, and close them afterwards.

Companies can add a private source without forking: an entry point in the group `communitydesk.sources`
names a factory like the built-in ones: `build(settings, connections) -> Source`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from importlib.metadata import entry_points
from typing import Protocol

import httpx

from communitydesk.config import Settings
from communitydesk.db.base import utcnow
from communitydesk.integrations.base import IntegrationError, Source
from communitydesk.integrations.http import JsonApi, RetryPolicy, Sleeper, make_client
from communitydesk.settings.intake import SourceSettings

ENTRY_POINT_GROUP = "communitydesk.sources"
BUILT_IN = {
    "hackernews": "communitydesk.integrations.hackernews.connect",
    "reddit": "communitydesk.integrations.reddit.connect",
    "discourse": "communitydesk.integrations.discourse.connect",
    "disqus": "communitydesk.integrations.disqus.connect",
    "x": "communitydesk.integrations.x.connect",
    "zendesk": "communitydesk.integrations.zendesk.connect",
}


@dataclass(frozen=True)
class Connections:
    """What a source factory opens its HTTP clients with; every client closes when the run ends."""

    stack: ExitStack
    sleep: Sleeper
    now: Callable[[], datetime]
    transport: httpx.BaseTransport | None = None

    def client(
        self,
        section: SourceSettings,
        *,
        base_url: str | None = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.Client:
        client = self.stack.enter_context(
            make_client(section, base_url=base_url, headers=headers, transport=self.transport)
        )
        if auth is not None:
            client.auth = auth
        return client

    def api(
        self,
        section: SourceSettings,
        provider: str,
        *,
        base_url: str | None = None,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
        credentials_hint: str = "",
    ) -> JsonApi:
        """Return a JSON API client retrying as the section's settings say."""
        return JsonApi(
            self.client(section, base_url=base_url, headers=headers, auth=auth),
            provider=provider,
            retry=RetryPolicy.from_settings(section),
            sleep=self.sleep,
            credentials_hint=credentials_hint,
        )


class SourceFactory(Protocol):
    def __call__(self, settings: Settings, connections: Connections) -> Source: ...


def source_names() -> list[str]:
    """Return the names of every known source, built-in ones first."""
    extra = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILT_IN)
    return [*BUILT_IN, *extra]


def _factory(name: str) -> SourceFactory:
    if name in BUILT_IN:
        factory: SourceFactory = import_module(BUILT_IN[name]).build
        return factory
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            loaded: SourceFactory = ep.load()
            return loaded
    raise IntegrationError(f"unknown source {name!r}; known: {', '.join(source_names())}")


def enabled_sources(settings: Settings) -> list[str]:
    """Return the sources whose settings section says they are enabled."""
    names = []
    for name in source_names():
        section = getattr(settings, name, None)
        if section is None or getattr(section, "enabled", False):
            names.append(name)
    return names


@contextmanager
def open_source(
    name: str,
    settings: Settings,
    *,
    sleep: Sleeper = time.sleep,
    now: Callable[[], datetime] = utcnow,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Source]:
    """Yield the configured source; raise CredentialsError when its credentials are missing."""
    factory = _factory(name)
    with ExitStack() as stack:
        yield factory(settings, Connections(stack, sleep, now, transport))
