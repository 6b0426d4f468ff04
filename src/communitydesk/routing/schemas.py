"""Plain values a routing produces: ranked owners, people to ask, a channel, a confidence and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class Ranked:
    """A stage, group or category with its share of the evidence (0..1)."""

    key: str
    name: str
    share: float


@dataclass(frozen=True)
class ExpertSuggestion:
    """A person to ask, and why."""

    name: str
    role: str | None
    slack_user_id: str | None
    person_key: str | None
    why: str

    def as_contract(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "slack_user_id": self.slack_user_id,
            "key": self.person_key,
            "why": self.why,
        }


@dataclass
class Routing:
    """Where to ask about a text."""

    stages: list[Ranked] = field(default_factory=list)
    groups: list[Ranked] = field(default_factory=list)
    categories: list[Ranked] = field(default_factory=list)
    channel: str | None = None
    experts: list[ExpertSuggestion] = field(default_factory=list)
    confidence: float = 0.0
    fallback: bool = False
    reasons: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)  # special routes the text matched, by key

    @property
    def stage(self) -> Ranked | None:
        return self.stages[0] if self.stages else None

    @property
    def group(self) -> Ranked | None:
        return self.groups[0] if self.groups else None

    @property
    def category(self) -> Ranked | None:
        return self.categories[0] if self.categories else None

    def as_contract(self, row_id: Any = None) -> dict[str, Any]:
        """Return the JSON shape of `desk route --batch` and the API."""
        return {
            "id": row_id,
            "stage": self.stage.key if self.stage else None,
            "group": self.group.key if self.group else None,
            "category": self.category.key if self.category else None,
            "channel": self.channel,
            "experts": [expert.as_contract() for expert in self.experts],
            "confidence": round(self.confidence, 4),
            "reasons": list(self.reasons),
        }


class RoutingRequest(BaseModel):
    """Text to route (POST /api/v1/routing)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, max_length=50_000, pattern=r"^[^\x00]*$", description="The text to route."
    )
    channel: str | None = Field(None, max_length=20, description="Ticket channel, e.g. blog_comment.")
    url: str | None = Field(
        None, max_length=2000, description="The mention's URL (finds a blog post's author)."
    )


class RankedOut(BaseModel):
    key: str
    name: str
    share: float


class ExpertOut(BaseModel):
    name: str
    role: str | None
    slack_user_id: str | None
    key: str | None
    why: str


class RoutingOut(BaseModel):
    """A routing: the `desk route --batch` contract plus the ranked alternatives."""

    stage: str | None
    group: str | None
    category: str | None
    channel: str | None
    experts: list[ExpertOut]
    confidence: float
    reasons: list[str]
    fallback: bool
    routes: list[str]
    stages: list[RankedOut]
    groups: list[RankedOut]
    categories: list[RankedOut]

    @classmethod
    def of(cls, routing: Routing) -> RoutingOut:
        contract = routing.as_contract()
        contract.pop("id")
        ranked = {
            name: [RankedOut(key=r.key, name=r.name, share=round(r.share, 4)) for r in values[:5]]
            for name, values in (
                ("stages", routing.stages),
                ("groups", routing.groups),
                ("categories", routing.categories),
            )
        }
        return cls(**contract, fallback=routing.fallback, routes=routing.routes, **ranked)
