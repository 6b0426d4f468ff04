"""Run Alembic migrations from code, so `desk db upgrade` needs no alembic.ini."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config bound to this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection_engine"] = engine
    return config


Backfill = Callable[[Engine], None]
"""Fills a revision's new tables from the data already stored, with the application's current code."""


def upgrade(
    engine: Engine, revision: str = "head", *, backfills: Mapping[str, Backfill] | None = None
) -> None:
    """Apply migrations up to a revision, then the backfills of the revisions applied (when data existed).

    A migration must not import application code to fill its tables: that code describes the newest schema,
    not the one of the migration's time, and would break an upgrade across later revisions. So a migration
    only creates the schema and the backfill runs once the whole upgrade is done.
    """
    config = alembic_config(engine)
    before = current_revision(engine)
    command.upgrade(config, revision)
    if before is None or not backfills:
        return  # a new database has nothing to fill from
    after = current_revision(engine)
    applied = {
        script.revision for script in ScriptDirectory.from_config(config).iterate_revisions(after, before)
    } - {before}
    for name, backfill in backfills.items():
        if name in applied:
            backfill(engine)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to a revision."""
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_drift(engine: Engine) -> list[Any]:
    """Return the differences between the models and the migrated database (empty means none)."""
    from communitydesk.db.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def autogenerate_revision(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the database (developers)."""
    from communitydesk.db.models import Base

    config = alembic_config(engine)
    config.attributes["target_metadata"] = Base.metadata
    command.revision(config, message=message, autogenerate=True)
