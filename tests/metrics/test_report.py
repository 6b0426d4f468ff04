"""`desk report monthly`: every number of the October history in the workbook, CSV, Markdown and charts."""

from __future__ import annotations

import csv
import struct
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from typer.testing import CliRunner

from communitydesk.cli.main import app
from tests.metrics.conftest import History

SHEETS = ["Summary", "Monthly", "By status", "By channel", "Tag trends"]
MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
          "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]  # fmt: skip
CHARTS = ["outreach", "response_times", "tickets", "channels", "rising_tags", "docs_first"]


def _report(cli: CliRunner, out: Path, *args: str) -> str:
    result = cli.invoke(app, ["report", "monthly", "--month", "2026-10", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_workbook_holds_every_table_and_number(cli: CliRunner, history: History, tmp_path: Path) -> None:
    output = _report(cli, tmp_path, "--format", "xlsx")
    assert "2026-10: 10 tickets, outreach 2, expert responded 2, 1 rising tags" in output
    path = tmp_path / "report-2026-10.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == SHEETS

    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary == {
        "Period": "2026-10",
        "Filter": "all tickets",
        "Tickets created": 10,
        "Outreach (tickets + tracked)": 2,
        "Outreach on tickets": 2,
        "Outreach tracked without a ticket": 0,
        "Tickets solved with Expert Responded": 2,
        "Outreach answered": 1,
        "Response rate (answered / outreach)": 0.5,
        "Expert answers timed": 2,
        "Time to expert answer, median (h)": 266,  # (4 h + 22 days) / 2
        "Time to expert answer, p90 (h)": 475.6,  # 4 h + 0.9 * (22 days - 4 h)
        "First responses timed": 2,
        "Time to first response, median (h)": 3.5,
        "Time to first response, p90 (h)": 5.5,
        "Answers (tickets solved)": 2,
        "Answers with a docs link": 1,
        "Docs link share": 0.5,
        "Docs gaps filed": 1,
    }

    monthly = list(workbook["Monthly"].iter_rows(values_only=True))
    header, rows = monthly[0], monthly[1:]
    assert [row[0] for row in rows] == MONTHS
    column = {name: [row[header.index(name)] for row in rows] for name in header}
    assert column["tickets_created"] == [0] * 8 + [1, 0, 5, 10]
    assert column["solved"] == [0] * 8 + [1, 0, 0, 2]
    assert column["outreach"] == [0] * 10 + [1, 2]
    assert column["expert_responded"] == [0] * 11 + [2]
    assert column["answered"] == [0] * 10 + [1, 1]
    assert column["response_rate"] == [None] * 10 + [1, 0.5]
    assert column["expert_answer_median_h"] == [None] * 11 + [266]
    assert column["first_response_median_h"] == [None] * 8 + [3, None, 2, 3.5]
    assert column["with_docs_link"] == [0] * 11 + [1]
    assert column["docs_link_share"] == [None] * 8 + [0, None, None, 0.5]
    assert column["docs_gaps_filed"] == [0] * 11 + [1]

    statuses = dict(workbook["By status"].iter_rows(min_row=2, values_only=True))
    assert statuses == {"new": 8, "open": 1, "pending": 0, "solved": 1, "closed": 0}
    channels = dict(workbook["By channel"].iter_rows(min_row=2, values_only=True))
    assert (channels["blog_comment"], channels["forum"], channels["reddit"]) == (7, 1, 0)
    tags = list(workbook["Tag trends"].iter_rows(values_only=True))
    assert tags == [
        ("tag", "last_30_days", "previous_30_days", "delta", "ratio"),
        ("runner", 3, 0, 3, None),
        ("ci-cache", 2, 2, 0, 1),
        ("pages", 1, 2, -1, 0.5),
        ("reached-out-to-expert", 1, 2, -1, 0.5),
    ]
    with zipfile.ZipFile(path) as archive:  # openpyxl drops charts on reading; they are in the package
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == 4


def test_csv_files_match_the_tables(cli: CliRunner, history: History, tmp_path: Path) -> None:
    _report(cli, tmp_path, "--format", "csv")
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [f"report-2026-10-{table}.csv" for table in sorted(
        ["summary", "monthly", "by_status", "by_channel", "tags"])]  # fmt: skip
    with (tmp_path / "report-2026-10-monthly.csv").open(encoding="utf-8") as handle:
        monthly = list(csv.DictReader(handle))
    assert [row["month"] for row in monthly] == MONTHS
    october = monthly[-1]
    assert (october["tickets_created"], october["outreach"], october["expert_answer_p90_h"]) == (
        "10",
        "2",
        "475.6",
    )
    assert monthly[9]["response_rate"] == ""  # August: no outreach, no rate
    with (tmp_path / "report-2026-10-tags.csv").open(encoding="utf-8") as handle:
        assert list(csv.reader(handle))[1] == ["runner", "3", "0", "3", ""]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_markdown_and_chart_images(cli: CliRunner, history: History, tmp_path: Path) -> None:
    _report(cli, tmp_path, "--format", "md")
    text = (tmp_path / "report-2026-10.md").read_text(encoding="utf-8")
    assert "- **Outreach:** 2 (2 on tickets, 0 tracked without one)" in text
    assert "- **Tickets solved with Expert Responded:** 2; outreach answered: 1 (50%)" in text
    assert "- **Time to expert answer:** median 266 h, p90 475.6 h (2 answers)" in text
    assert "- **Docs-first:** 1 of 2 answers with a docs link (50%); 1 docs gaps filed" in text
    assert "| runner | 3 | 0 | +3 | new |" in text
    assert "ci-cache" not in text.split("## By channel")[0]  # not rising: delta 0
    assert "| 2026-08 | 0 | 0 | 0 | 0 |  |  |  | 0 |" in text
    for name in CHARTS:
        png = tmp_path / "charts" / f"2026-10-{name}.png"
        assert f"![{name}](charts/2026-10-{name}.png)" in text
        width, height = _png_size(png.read_bytes())
        assert width > 520 and height > 88  # the 520-wide plot at twice the density, with axes
        svg = ElementTree.parse(tmp_path / "charts" / f"2026-10-{name}.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert float(svg.attrib["width"]) > 280


def test_filters_and_bad_input(cli: CliRunner, history: History, tmp_path: Path) -> None:
    output = _report(cli, tmp_path, "--format", "csv", "--channel", "forum")
    assert "2026-10: 1 tickets, outreach 1, expert responded 1" in output
    with (tmp_path / "report-2026-10-summary.csv").open(encoding="utf-8") as handle:
        assert ["Filter", "channel=forum"] in list(csv.reader(handle))
    for args, message in [
        (["--month", "2026-13"], "invalid month '2026-13'"),
        (["--month", "2026-10", "--channel", "myspace"], "unknown channel 'myspace'"),
        (["--month", "2026-10", "--format", "pdf"], "unknown format 'pdf'"),
    ]:
        result = cli.invoke(app, ["report", "monthly", "--out", str(tmp_path / "bad"), *args])
        assert result.exit_code == 1
        assert message in result.output
    assert not (tmp_path / "bad").exists()
