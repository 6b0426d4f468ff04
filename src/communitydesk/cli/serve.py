"""`desk serve` and `desk run`: the web server, and the one-command demo."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from communitydesk.app import create_app
from communitydesk.cli.context import console, fail, open_desk, settings_or_exit
from communitydesk.upgrades import upgrade_database


def serve() -> None:
    """Start the web UI and API on the configured host and port (run `desk db upgrade` first)."""
    settings = settings_or_exit()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def run(
    demo: bool | None = typer.Option(
        None, help="Load demo mentions, taxonomy and users (default: on, except in production)."
    ),
    gitlab_taxonomy: Path | None = typer.Option(
        None,
        help="Load GitLab's real stages.yml/categories.yml from this folder instead of the demo taxonomy.",
    ),
) -> None:
    """Migrate the database, load demo data, and serve the desk."""
    from communitydesk.demo.loader import load_demo

    settings = settings_or_exit()
    if demo is None:
        demo = settings.environment != "production"
    with open_desk() as desk:
        upgrade_database(desk.engine)
        if demo:
            try:
                summary = load_demo(desk, gitlab_taxonomy=gitlab_taxonomy)
            except (FileNotFoundError, ValueError) as exc:
                raise fail(str(exc)) from exc
            console.print(summary.describe(), highlight=False)
    console.print(f"Community Desk on [bold]http://{settings.host}:{settings.port}[/]")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
