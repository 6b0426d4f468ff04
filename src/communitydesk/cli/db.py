"""`desk db`: schema migrations."""

from __future__ import annotations

import typer

from communitydesk.cli.context import console, fail, open_desk
from communitydesk.db import migrate
from communitydesk.upgrades import upgrade_database

app = typer.Typer(help="Create and upgrade the database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations (creates the database when it does not exist)."""
    with open_desk() as desk:
        upgrade_database(desk.engine, revision)
        console.print(f"database at revision [bold]{migrate.current_revision(desk.engine)}[/]")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base.")) -> None:
    """Revert migrations down to a revision."""
    with open_desk() as desk:
        migrate.downgrade(desk.engine, revision)
        console.print(f"database at revision [bold]{migrate.current_revision(desk.engine)}[/]")


@app.command()
def check() -> None:
    """Fail when the models and the migrated schema differ."""
    with open_desk() as desk:
        diff = migrate.schema_drift(desk.engine)
        if diff:
            raise fail("models and migrations differ:\n" + "\n".join(map(str, diff)))
        console.print("no drift between models and migrations")


@app.command()
def current() -> None:
    """Print the current revision."""
    with open_desk() as desk:
        console.print(migrate.current_revision(desk.engine) or "empty database")


@app.command()
def revision(message: str = typer.Option(..., "-m", "--message", help="What the migration does.")) -> None:
    """Write a new migration from the models' difference to the database (for developers)."""
    with open_desk() as desk:
        migrate.autogenerate_revision(desk.engine, message)
