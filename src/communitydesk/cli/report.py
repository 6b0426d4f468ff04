"""`desk report monthly`: the month's metrics as a workbook, CSV files, charts and a Markdown summary."""

from __future__ import annotations

from pathlib import Path

import typer

from communitydesk.cli.context import console, fail, open_desk
from communitydesk.db.base import utcnow
from communitydesk.metrics import filters
from communitydesk.metrics.export import FORMATS, Format, write_report
from communitydesk.metrics.report import build_monthly_report
from communitydesk.metrics.schemas import Period, PeriodError

app = typer.Typer(help="Reports for the team's reviews.", no_args_is_help=True)


@app.command("monthly")
def monthly(
    month: str = typer.Option(..., "--month", help="The month to report, YYYY-MM (UTC)."),
    output_format: str = typer.Option(
        "all", "--format", help=f"One of: {', '.join(FORMATS)}, all. Markdown comes with its chart images."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for the files. Default: ./report-YYYY-MM.", show_default=False
    ),
    channel: str = typer.Option("", help="Only tickets of this channel."),
    stage: str = typer.Option("", help="Only tickets of this stage."),
    group: str = typer.Option("", help="Only tickets of this group."),
    expert: str = typer.Option("", help="Only tickets whose outreach or answer notes name this expert."),
    tag: str = typer.Option("", help="Only tickets with this tag."),
) -> None:
    """Write the monthly report: XLSX (native charts), CSV, PNG/SVG charts and a Markdown summary."""
    if output_format != "all" and output_format not in FORMATS:
        raise fail(f"unknown format {output_format!r}; expected one of {', '.join(FORMATS)}, all")
    formats: list[Format] = list(FORMATS) if output_format == "all" else [output_format]  # type: ignore[list-item]
    try:
        period = Period.month(month)
        flt = filters.make_filter(channel=channel, stage=stage, group=group, expert=expert, tag=tag)
    except (PeriodError, ValueError) as exc:
        raise fail(str(exc)) from exc
    with open_desk() as desk, desk.sessions() as session:
        report = build_monthly_report(
            session,
            period,
            flt,
            settings=desk.settings.metrics,
            docs_url_bases=desk.settings.resolved_docs_url_bases,
            now=utcnow(),
        )
    written = write_report(report, out or Path(f"report-{period.label}"), formats)
    o = report.summary.outreach
    console.print(
        f"{period.label}: {report.summary.tickets_created} tickets, outreach {o.outreach}, "
        f"expert responded {o.expert_responded}, {len(report.rising_tags)} rising tags",
        highlight=False,
    )
    for path in written:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
