"""`desk ingest`: bring mentions in."""

from __future__ import annotations

from pathlib import Path

import typer

from communitydesk.cli.context import console, fail, open_desk
from communitydesk.experts.answers import ExpertWatch
from communitydesk.mentions.intake import ingest_rows, read_jsonl

app = typer.Typer(help="Bring mentions into the desk.", no_args_is_help=True)


@app.command("file")
def ingest_file(
    path: Path = typer.Argument(..., help="A JSON Lines file of normalized mentions."),
    source: str = typer.Option("file", help="Label for rejects from this file."),
) -> None:
    """Ingest normalized mentions from a JSON Lines file; a bad row is reported and kept, the rest go in."""
    if not path.is_file():
        raise fail(f"{path} is not a file")
    with open_desk() as desk:
        report = ingest_rows(
            desk.sessions,
            read_jsonl(path),
            source=source,
            company_names=desk.settings.company_names,
            watch=ExpertWatch.of(desk.settings, desk.macros),
        )
    for error in report.errors:
        console.print(f"[red]rejected[/] {error}", highlight=False)
    console.print(
        f"{report.received} read, [bold]{report.new} new[/], {report.duplicate} duplicate, "
        f"{report.rejected} rejected",
        highlight=False,
    )
    if report.rejected:
        raise typer.Exit(2)
