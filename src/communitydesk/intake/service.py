"""Reads and writes of intake cursors and runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.intake.models import IntakeCursor, IntakeRun


def get_cursor(session: Session, *, source: str, scope: str) -> str | None:
    """Return the stored cursor of a source's scope, or None before its first poll."""
    return session.scalar(
        select(IntakeCursor.value).where(IntakeCursor.source == source, IntakeCursor.scope == scope)
    )


def save_cursor(session: Session, *, source: str, scope: str, value: str) -> None:
    """Store where a scope's polling stopped (in the caller's transaction)."""
    row = session.scalar(
        select(IntakeCursor).where(IntakeCursor.source == source, IntakeCursor.scope == scope)
    )
    if row is None:
        session.add(IntakeCursor(source=source, scope=scope[:300], value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()


def get_cursors(session: Session, *, source: str | None = None) -> Sequence[IntakeCursor]:
    """Return stored cursors, optionally of one source."""
    query = select(IntakeCursor).order_by(IntakeCursor.source, IntakeCursor.scope)
    if source:
        query = query.where(IntakeCursor.source == source)
    return session.scalars(query).all()


def delete_cursors(session: Session, *, source: str) -> int:
    """Forget where a source stopped, so its next poll starts over from the backfill window."""
    rows = get_cursors(session, source=source)
    for row in rows:
        session.delete(row)
    return len(rows)


def start_run(session: Session, *, source: str, trigger: str) -> IntakeRun:
    """Record the start of a poll (a run killed midway stays 'running' with the counts of its pages)."""
    run = IntakeRun(source=source, trigger=trigger, status="running", started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def get_runs(session: Session, *, source: str | None = None, limit: int = 20) -> Sequence[IntakeRun]:
    """Return the latest runs, newest first."""
    query = select(IntakeRun).order_by(IntakeRun.id.desc()).limit(limit)
    if source:
        query = query.where(IntakeRun.source == source)
    return session.scalars(query).all()
