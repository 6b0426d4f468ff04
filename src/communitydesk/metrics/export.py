"""Write a monthly report as an XLSX workbook (native charts), CSV files, chart images and Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Literal

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from communitydesk.metrics import charts
from communitydesk.metrics.report import MONTHLY_COLUMNS, MonthlyReport, Table, hours_text, tables

Format = Literal["xlsx", "csv", "md", "charts"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv", "md", "charts")


def write_report(report: MonthlyReport, out_dir: Path, formats: Iterable[Format]) -> list[Path]:
    """Write the chosen formats into a folder; return the files written. Markdown comes with its charts."""
    wanted = set(formats)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"report-{report.period.label}"
    written: list[Path] = []
    if "xlsx" in wanted:
        path = out_dir / f"{stem}.xlsx"
        with path.open("wb") as handle:
            write_xlsx(report, handle)
        written.append(path)
    if "csv" in wanted:
        for table in tables(report):
            path = out_dir / f"{stem}-{table.name}.csv"
            path.write_text(table_csv(table), encoding="utf-8", newline="")
            written.append(path)
    images: dict[str, Path] = {}
    if wanted & {"charts", "md"}:
        chart_dir = out_dir / "charts"
        chart_dir.mkdir(exist_ok=True)
        for name, spec in charts.charts(report).items():
            png, svg = (
                chart_dir / f"{report.period.label}-{name}.png",
                chart_dir / f"{report.period.label}-{name}.svg",
            )
            png.write_bytes(charts.to_png(spec))
            svg.write_text(charts.to_svg(spec), encoding="utf-8")
            images[name] = png
            written += [png, svg]
    if "md" in wanted:
        path = out_dir / f"{stem}.md"
        path.write_text(
            markdown(report, {name: str(p.relative_to(out_dir)) for name, p in images.items()}), "utf-8"
        )
        written.append(path)
    return written


def table_csv(table: Table) -> str:
    """Return one table as CSV text (header row first, empty cells for missing values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_csv_safe(cell) for cell in row] for row in table.rows)
    return buffer.getvalue()


def _csv_safe(cell: object) -> object:
    # A cell starting with = + - @ would run as a formula in a spreadsheet; tags and names are user text.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return "" if cell is None else cell


def write_xlsx(report: MonthlyReport, target: IO[bytes]) -> None:
    """Write the workbook: one sheet per table, with native Excel charts beside the data."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    sheets: dict[str, Worksheet] = {}
    for table in tables(report):
        sheet = workbook.add_worksheet(table.title)
        sheet.write_row(0, 0, table.columns, bold)
        for number, row in enumerate(table.rows, start=1):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(number, column, cell)
                else:
                    sheet.write_number(number, column, cell)
        sheet.set_column(0, 0, 34 if table.name == "summary" else 18)
        sheet.set_column(1, len(table.columns) - 1, 14)
        sheet.freeze_panes(1, 0)
        sheets[table.name] = sheet
    months = len(report.series)
    outreach_fields = ["outreach", "expert_responded", "answered"]
    below = str(months + 4)
    _column_chart(
        workbook, sheets["monthly"], months, outreach_fields, "Expert outreach and responses", "B" + below
    )
    _line_chart(workbook, sheets["monthly"], months, "J" + below)
    _bar_chart(workbook, sheets["by_channel"], "By channel", len(report.by_channel), "Tickets by channel")
    _bar_chart(
        workbook, sheets["tags"], "Tag trends", len(report.tags.tags), "Tag use: change (delta)", column=3
    )
    workbook.close()


def _column_chart(
    workbook: xlsxwriter.Workbook, sheet: Worksheet, rows: int, fields: list[str], name: str, at: str
) -> None:
    title = "Monthly"
    chart = workbook.add_chart({"type": "column"})
    for field in fields:
        column = MONTHLY_COLUMNS.index(field)
        chart.add_series(
            {
                "name": [title, 0, column],
                "categories": [title, 1, 0, rows, 0],
                "values": [title, 1, column, rows, column],
            }
        )
    chart.set_title({"name": name})
    chart.set_size({"width": 640, "height": 300})
    sheet.insert_chart(at, chart)


def _line_chart(workbook: xlsxwriter.Workbook, sheet: Worksheet, rows: int, at: str) -> None:
    chart = workbook.add_chart({"type": "line"})
    for field in ("expert_answer_median_h", "expert_answer_p90_h", "first_response_median_h"):
        column = MONTHLY_COLUMNS.index(field)
        chart.add_series(
            {
                "name": ["Monthly", 0, column],
                "categories": ["Monthly", 1, 0, rows, 0],
                "values": ["Monthly", 1, column, rows, column],
                "marker": {"type": "circle"},
            }
        )
    chart.set_title({"name": "Response times (hours)"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 640, "height": 300})
    sheet.insert_chart(at, chart)


def _bar_chart(
    workbook: xlsxwriter.Workbook, sheet: Worksheet, title: str, rows: int, name: str, column: int = 1
) -> None:
    if rows == 0:
        return
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": [title, 0, column],
            "categories": [title, 1, 0, rows, 0],
            "values": [title, 1, column, rows, column],
        }
    )
    chart.set_title({"name": name})
    chart.set_legend({"none": True})
    sheet.insert_chart("H2", chart)


def _md(cell: object) -> str:
    """Return a Markdown table cell: text escaped so user-given text cannot break the table or add HTML."""
    if cell is None:
        return ""
    text = str(cell)
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _md_table(columns: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(_md(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def markdown(report: MonthlyReport, images: dict[str, str]) -> str:
    """Return the Markdown summary for the monthly review; `images` maps chart names to relative paths."""
    s, o, docs = report.summary, report.summary.outreach, report.summary.docs_first
    rate = "n/a" if o.response_rate is None else f"{o.response_rate:.0%}"
    share = "n/a" if docs.share is None else f"{docs.share:.0%}"
    answer = s.time_to_expert_answer
    lines = [
        f"# Community report {_md(report.period.label)}",
        "",
        f"Filter: {_md(report.filter.describe())}. Definitions: docs/metrics.md.",
        "",
        f"- **Outreach:** {o.outreach} ({o.ticket_outreach} on tickets, "
        f"{o.tracked_outreach} tracked without one)",
        f"- **Tickets solved with Expert Responded:** {o.expert_responded}; outreach answered: {o.answered} "
        f"({rate})",
        f"- **Time to expert answer:** median {hours_text(answer.median_seconds)}, "
        f"p90 {hours_text(answer.p90_seconds)} ({answer.count} answers)",
        f"- **Time to first response:** median {hours_text(s.time_to_first_response.median_seconds)}, "
        f"p90 {hours_text(s.time_to_first_response.p90_seconds)} ({s.time_to_first_response.count} tickets)",
        f"- **Tickets created:** {s.tickets_created}",
        f"- **Docs-first:** {docs.with_docs_link} of {docs.solved} answers with a docs link ({share}); "
        f"{docs.docs_gaps_filed} docs gaps filed",
        "",
        f"## Tags with rising usage (last {report.tags.days} days against the {report.tags.days} before)",
        "",
    ]
    rising = report.rising_tags
    if rising:
        lines += _md_table(
            ["tag", "last", "previous", "delta", "ratio"],
            [
                [t.tag, t.recent, t.previous, f"+{t.delta}", "new" if t.ratio is None else f"{t.ratio:.2f}"]
                for t in rising
            ],
        )
    else:
        lines.append(f"No tag rose above the minimum volume ({report.tags.min_volume}).")
    lines += ["", "## By channel", ""]
    lines += _md_table(["channel", "tickets"], [[c.key, c.count] for c in report.by_channel if c.count])
    lines += ["", "## Monthly series", ""]
    monthly = next(table for table in tables(report) if table.name == "monthly")
    keep = ["month", "tickets_created", "outreach", "expert_responded", "answered", "expert_answer_median_h",
            "first_response_median_h", "docs_link_share", "docs_gaps_filed"]  # fmt: skip
    index = [monthly.columns.index(name) for name in keep]
    lines += _md_table(keep, [[row[i] for i in index] for row in monthly.rows])
    if images:
        lines += ["", "## Charts", ""]
        lines += [f"![{name}]({path})" for name, path in images.items()]
    return "\n".join(lines) + "\n"
