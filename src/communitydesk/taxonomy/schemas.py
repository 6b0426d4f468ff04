"""A product directory as read from its files, before it is stored, and what an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StageSpec:
    key: str
    name: str
    slack_channel: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class GroupSpec:
    key: str
    name: str
    stage_key: str
    slack_channel: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class CategorySpec:
    key: str
    name: str
    stage_key: str | None
    group_key: str | None
    description: str | None
    attributes: dict[str, Any]


@dataclass
class Directory:
    """Stages, groups and categories read from a directory's files, with what looked odd in them."""

    stages: list[StageSpec] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)
    categories: list[CategorySpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RowCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        """Return how many rows the imported file holds."""
        return self.created + self.updated + self.unchanged


@dataclass
class TaxonomyImport:
    """What one import of a directory changed."""

    stages: RowCounts = field(default_factory=RowCounts)
    groups: RowCounts = field(default_factory=RowCounts)
    categories: RowCounts = field(default_factory=RowCounts)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            counts.created or counts.updated or counts.removed
            for counts in (self.stages, self.groups, self.categories)
        )

    def describe(self) -> str:
        """Return a one-line summary."""
        kinds = (("stages", self.stages), ("groups", self.groups), ("categories", self.categories))
        totals = ", ".join(f"{counts.total} {name}" for name, counts in kinds)
        created = sum(counts.created for _, counts in kinds)
        updated = sum(counts.updated for _, counts in kinds)
        removed = sum(counts.removed for _, counts in kinds)
        detail = f"{created} created, {updated} updated"
        if removed:
            detail += f", {removed} removed"
        return f"{totals} ({detail})"
