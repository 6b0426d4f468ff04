"""Plain values a routing produces: ranked owners, people to ask, a channel, a confidence and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
