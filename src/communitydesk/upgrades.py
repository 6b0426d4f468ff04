"""Bring a database up to date: the schema migrations, then the backfills of the revisions they applied.

Backfills live here, not in the migrations: they run the application's current code (see
`db.migrate.upgrade`), which may only run against the newest schema.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from communitydesk.db import migrate
from communitydesk.metrics import fact_rebuild


def _rebuild_metrics_facts(engine: Engine) -> None:
    with Session(engine) as session:
        fact_rebuild.rebuild(session)
        session.commit()


def _rebuild_month_counts(engine: Engine) -> None:
    with Session(engine) as session:
        fact_rebuild.rebuild_month_counts(session)
        session.commit()


# Revision -> what fills its new tables from the data stored before it.
BACKFILLS: dict[str, migrate.Backfill] = {"0007": _rebuild_metrics_facts, "0009": _rebuild_month_counts}


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`, then fill what the applied ones added from existing data."""
    migrate.upgrade(engine, revision, backfills=BACKFILLS)
