"""`desk ingest <source>`, `desk sources` and `desk worker`: polling the configured sources."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import typer
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from communitydesk.cli.context import console, err_console, fail, open_desk
from communitydesk.db.engine import transaction
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PageDone, PollReport
from communitydesk.intake.runner import poll_named_source
from communitydesk.intake.scheduled import make_huey, poll_once, register_polls
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.registry import BUILT_IN, enabled_sources, source_names
from communitydesk.outreach.scheduled import register_outreach, run_outreach_once

app = typer.Typer(help="See and reset the state of polled sources.", no_args_is_help=True)
_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None) -> datetime | None:
    """Parse --since: an ISO date or time (UTC when no offset is given) or an age like 30m, 12h, 7d, 2w."""
    if value is None:
        return None
    text = value.strip()
    relative = _RELATIVE.match(text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return datetime.now(UTC) - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is neither an ISO date/time nor an age like 7d") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print_report(report: PollReport) -> None:
    for error in report.errors[:20]:
        console.print(f"[red]rejected[/] {error}", highlight=False)
    if report.rejected > 20:
        console.print(f"... and {report.rejected - 20} more rejected (kept in intake_rejects)")
    console.print(
        f"{report.source}: fetched {report.fetched}, [bold]{report.new} new[/], "
        f"{report.duplicate} duplicate, "
        f"{report.rejected} rejected, {report.skipped} skipped ({report.pages} pages)",
        highlight=False,
    )


def ingest_source(name: str, since: str | None, max_pages: int | None) -> None:
    """Poll one source with a progress bar and print the summary line."""
    start = parse_since(since)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task(name, total=None, counts="")

    def on_page(done: PageDone) -> None:
        total = done.total
        progress.update(
            task,
            description=f"{name} {done.scope}",
            counts=f"page {total.pages}: fetched {total.fetched}, new {total.new}, "
            f"duplicate {total.duplicate}, rejected {total.rejected}",
        )

    with open_desk() as desk:
        try:
            with progress:
                report = poll_named_source(desk, name, since=start, max_pages=max_pages, on_page=on_page)
        except IntegrationError as exc:
            raise fail(str(exc)) from exc
    _print_report(report)
    if report.error:
        raise fail(f"{name} stopped early: {report.error}")


def _command(name: str) -> Callable[..., None]:
    def command(
        since: str | None = typer.Option(
            None, "--since", help="Backfill from this ISO date/time or age (7d, 12h) instead of the cursor."
        ),
        max_pages: int | None = typer.Option(
            None, "--max-pages", min=1, help="Stop after this many pages per scope (the next run resumes)."
        ),
    ) -> None:
        ingest_source(name, since, max_pages)

    command.__doc__ = f"Poll {name} from its stored cursor and store new mentions."
    return command


def register(ingest_app: typer.Typer) -> None:
    """Add `desk ingest <source>` for every known source to the ingest group."""
    for name in source_names():
        ingest_app.command(name)(_command(name))


@app.command("list")
def list_sources() -> None:
    """List sources: enabled or not, their cursors and the last run."""
    with open_desk() as desk, desk.sessions() as session:
        enabled = set(enabled_sources(desk.settings))
        table = Table("source", "enabled", "scopes", "last run", "status", "new", "rejected")
        for name in source_names():
            runs = intake.get_runs(session, source=name, limit=1)
            cursors = [
                c for c in intake.get_cursors(session, source=name) if not c.scope.startswith("budget:")
            ]
            last = runs[0] if runs else None
            table.add_row(
                name,
                "yes" if name in enabled else "no",
                str(len(cursors)),
                last.started_at.strftime("%Y-%m-%d %H:%M") if last else "-",
                last.status if last else "-",
                str(last.new) if last else "-",
                str(last.rejected) if last else "-",
            )
    console.print(table)


@app.command("reset")
def reset_source(name: str = typer.Argument(..., help=f"One of: {', '.join(BUILT_IN)}.")) -> None:
    """Forget where a source stopped; its next poll starts from the backfill window again."""
    if name not in source_names():
        raise fail(f"unknown source {name!r}")
    with open_desk() as desk, transaction(desk.sessions) as session:
        removed = intake.delete_cursors(session, source=name)
    console.print(f"{name}: {removed} cursors removed")


def _log_to_stderr() -> None:
    """Send the desk's and Huey's log records to stderr once (Rich finds the current stderr each time)."""
    for name in ("communitydesk", "huey"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not any(isinstance(handler, RichHandler) for handler in logger.handlers):
            logger.addHandler(RichHandler(console=err_console, show_path=False, markup=False))


def worker(
    once: bool = typer.Option(False, "--once", help="Poll every enabled source once, then exit (for cron)."),
    periodic: bool = typer.Option(
        True, "--periodic/--no-periodic", help="Schedule the polls here (run exactly one scheduling worker)."
    ),
) -> None:
    """Run the background worker: poll every enabled source, retry Slack outreach, post reminders."""
    _log_to_stderr()
    with open_desk() as desk:
        names = enabled_sources(desk.settings)
        if once:
            failed = [name for name in names if poll_once(desk, name, trigger="worker") is None]
            run_outreach_once(desk)
            if failed:
                raise fail(f"could not poll: {', '.join(failed)}")
            return
        try:
            huey = make_huey(desk.settings)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        register_polls(huey, desk)
        register_outreach(huey, desk)
        console.print(
            f"worker polling {', '.join(names) or 'nothing'} ({desk.settings.worker.backend} queue)"
        )
        huey.create_consumer(
            workers=desk.settings.worker.workers, worker_type="thread", periodic=periodic
        ).run()
