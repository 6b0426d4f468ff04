"""Reads and writes of the product directory: stages, groups and categories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from communitydesk.taxonomy.models import Category, Group, Stage
from communitydesk.taxonomy.schemas import Directory, RowCounts, TaxonomyImport

Row = TypeVar("Row", Stage, Group, Category)


def get_stages(session: Session) -> Sequence[Stage]:
    """Return every stage, by key."""
    return session.scalars(select(Stage).order_by(Stage.key)).all()


def get_groups(session: Session, *, stage_id: int | None = None) -> Sequence[Group]:
    """Return every group, or a stage's groups, by key."""
    query = select(Group)
    if stage_id is not None:
        query = query.where(Group.stage_id == stage_id)
    return session.scalars(query.order_by(Group.key)).all()


def get_categories(session: Session, *, group_id: int | None = None) -> Sequence[Category]:
    """Return every category, or a group's categories, by key."""
    query = select(Category)
    if group_id is not None:
        query = query.where(Category.group_id == group_id)
    return session.scalars(query.order_by(Category.key)).all()


def get_stage_by_key(session: Session, key: str) -> Stage | None:
    return session.scalar(select(Stage).where(Stage.key == key))


def get_group_by_key(session: Session, key: str) -> Group | None:
    return session.scalar(select(Group).where(Group.key == key))


def get_category_by_key(session: Session, key: str) -> Category | None:
    return session.scalar(select(Category).where(Category.key == key))


def counts(session: Session) -> tuple[int, int, int]:
    """Return how many stages, groups and categories are stored."""
    return (
        session.scalar(select(func.count(Stage.id))) or 0,
        session.scalar(select(func.count(Group.id))) or 0,
        session.scalar(select(func.count(Category.id))) or 0,
    )


def _by_key(session: Session, model: type[Row]) -> dict[str, Row]:
    return {row.key: row for row in session.scalars(select(model))}


def _sync(
    session: Session,
    existing: dict[str, Row],
    model: type[Row],
    key: str,
    values: dict[str, Any],
    tally: RowCounts,
) -> Row:
    """Create the row for a key or bring its values up to date, counting which it was."""
    row = existing.get(key)
    if row is None:
        row = model(key=key, **values)
        session.add(row)
        existing[key] = row
        tally.created += 1
        return row
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        tally.updated += 1
    else:
        tally.unchanged += 1
    return row


def _prune(session: Session, existing: dict[str, Row], keep: set[str], tally: RowCounts) -> None:
    for key, row in existing.items():
        if key not in keep:
            session.delete(row)
            tally.removed += 1
    session.flush()


def upsert_directory(session: Session, *, directory: Directory, prune: bool = False) -> TaxonomyImport:
    """Store a directory by key: new rows are created, changed rows updated, the rest left alone.

    With prune, rows whose key the directory no longer has are deleted (tickets keep their text fields).
    """
    result = TaxonomyImport(warnings=list(directory.warnings))
    stages = _by_key(session, Stage)
    groups = _by_key(session, Group)
    categories = _by_key(session, Category)
    seen_stages = {spec.key for spec in directory.stages}
    seen_groups = {spec.key for spec in directory.groups}
    seen_categories = {spec.key for spec in directory.categories}

    for stage in directory.stages:
        values: dict[str, Any] = {
            "name": stage.name,
            "slack_channel": stage.slack_channel,
            "attributes": stage.attributes,
        }
        _sync(session, stages, Stage, stage.key, values, result.stages)
    session.flush()
    for group in directory.groups:
        values = {
            "name": group.name,
            "stage_id": stages[group.stage_key].id,
            "slack_channel": group.slack_channel,
            "attributes": group.attributes,
        }
        _sync(session, groups, Group, group.key, values, result.groups)
    session.flush()
    for category in directory.categories:
        values = {
            "name": category.name,
            "stage_id": stages[category.stage_key].id if category.stage_key else None,
            "group_id": groups[category.group_key].id if category.group_key else None,
            "description": category.description,
            "attributes": category.attributes,
        }
        _sync(session, categories, Category, category.key, values, result.categories)
    session.flush()
    if prune:
        # After the upserts, so a group that moved away from a removed stage is not cascaded away with it.
        _prune(session, categories, seen_categories, result.categories)
        _prune(session, groups, seen_groups, result.groups)
        _prune(session, stages, seen_stages, result.stages)
    return result
