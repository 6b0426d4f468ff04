"""Plain shapes of the people and routes files and of what importing them did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Platforms a person can have a public handle on, and the names the people file may use for them.
PLATFORMS = ("hackernews", "reddit", "x", "disqus", "discourse", "gitlab", "zendesk")
PLATFORM_NAMES = {
    "hackernews": "hackernews",
    "hn": "hackernews",
    "reddit": "reddit",
    "x": "x",
    "twitter": "x",
    "disqus": "disqus",
    "discourse": "discourse",
    "forum": "discourse",
    "gitlab": "gitlab",
    "zendesk": "zendesk",
}
# The platform whose handles write a mention of each ticket channel.
CHANNEL_PLATFORM = {
    "hackernews": "hackernews",
    "reddit": "reddit",
    "twitter": "x",
    "blog_comment": "disqus",
    "docs_comment": "disqus",
    "forum": "discourse",
    "zendesk": "zendesk",
}

RouteKind = Literal["topic", "direction", "blog_author", "support", "fallback"]
ROUTE_KINDS: tuple[RouteKind, ...] = ("topic", "direction", "blog_author", "support", "fallback")


@dataclass(frozen=True)
class PersonSpec:
    key: str
    name: str
    role: str | None
    slack_user_id: str | None
    team_member: bool
    handles: dict[str, str]  # platform -> handle as written
    expertise: dict[str, list[str]]  # stages/groups/categories -> directory keys


@dataclass(frozen=True)
class RouteSpec:
    key: str
    kind: RouteKind
    topic: str
    channel: str | None
    slack_mention: str | None
    people: list[str]
    terms: list[str]
    attributes: dict[str, Any]


@dataclass
class ExpertsImport:
    """What one import of people and routes did."""

    people_created: int = 0
    people_updated: int = 0
    routes_created: int = 0
    routes_updated: int = 0
    handles: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"people: {self.people_created} created, {self.people_updated} updated ({self.handles} handles); "
            f"routes: {self.routes_created} created, {self.routes_updated} updated"
        )
