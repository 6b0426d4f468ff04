"""The monthly report: every metric of a month gathered once, laid out as tables for every format.

`build_monthly_report` asks the service; `tables` turns the result into named tables (the XLSX sheets,
the CSV files, the Markdown sections and the downloads of the web page all come from them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from communitydesk.metrics import counts, service, trends
from communitydesk.metrics.schemas import Count, MetricsFilter, MonthRow, Period, Summary, TagTrend, TagTrends
from communitydesk.settings.metrics import MetricsSettings

Cell = str | int | float | None


@dataclass(frozen=True)
class MonthlyReport:
    """Every metric of one month, with the series that ends with it."""

    period: Period
    filter: MetricsFilter
    summary: Summary
    series: list[MonthRow]
    by_status: list[Count]
    by_channel: list[Count]
    tags: TagTrends

    @property
    def rising_tags(self) -> list[TagTrend]:
        return [tag for tag in self.tags.tags if tag.delta > 0]


@dataclass(frozen=True)
class Table:
    """A named table: the unit of the XLSX sheets, CSV files and Markdown sections."""

    name: str  # file-name safe: summary, monthly, by_status, by_channel, tags
    title: str
    columns: list[str]
    rows: list[list[Cell]]


def build_monthly_report(
    session: Session,
    period: Period,
    flt: MetricsFilter,
    *,
    settings: MetricsSettings,
    docs_url_bases: list[str],
    now: datetime,
) -> MonthlyReport:
    """Compute the report of a period: its summary and breakdowns, the series and the tag trends."""
    return MonthlyReport(
        period=period,
        filter=flt,
        summary=service.summary(session, period, flt, docs_url_bases),
        series=service.monthly_series(
            session, period.months_back(settings.series_months), flt, docs_url_bases
        ),
        by_status=counts.tickets_by_status(session, period, flt),
        by_channel=counts.tickets_by_channel(session, period, flt),
        tags=trends.tag_trends(
            session,
            min(period.end, now),
            flt,
            days=settings.rising_tags_days,
            min_volume=settings.rising_tags_min_volume,
        ),
    )


def hours(seconds: float | None) -> float | None:
    """Return seconds as hours with two decimals, for people and spreadsheets."""
    return None if seconds is None else round(seconds / 3600, 2)


def hours_text(seconds: float | None) -> str:
    """Return a duration for people: '3.5 h', or 'n/a' when there is none."""
    value = hours(seconds)
    return "n/a" if value is None else f"{value:g} h"


def summary_rows(report: MonthlyReport) -> list[list[Cell]]:
    """Return (metric, value) rows of the month's single numbers."""
    s = report.summary
    o, docs = s.outreach, s.docs_first
    return [
        ["Period", s.period],
        ["Filter", report.filter.describe()],
        ["Tickets created", s.tickets_created],
        ["Outreach (tickets + tracked)", o.outreach],
        ["Outreach on tickets", o.ticket_outreach],
        ["Outreach tracked without a ticket", o.tracked_outreach],
        ["Tickets solved with Expert Responded", o.expert_responded],
        ["Outreach answered", o.answered],
        ["Response rate (answered / outreach)", o.response_rate],
        ["Expert answers timed", s.time_to_expert_answer.count],
        ["Time to expert answer, median (h)", hours(s.time_to_expert_answer.median_seconds)],
        ["Time to expert answer, p90 (h)", hours(s.time_to_expert_answer.p90_seconds)],
        ["First responses timed", s.time_to_first_response.count],
        ["Time to first response, median (h)", hours(s.time_to_first_response.median_seconds)],
        ["Time to first response, p90 (h)", hours(s.time_to_first_response.p90_seconds)],
        ["Answers (tickets solved)", docs.solved],
        ["Answers with a docs link", docs.with_docs_link],
        ["Docs link share", docs.share],
        ["Docs gaps filed", docs.docs_gaps_filed],
    ]


MONTHLY_COLUMNS = [
    "month",
    "tickets_created",
    "solved",
    "outreach",
    "ticket_outreach",
    "tracked_outreach",
    "expert_responded",
    "answered",
    "response_rate",
    "expert_answer_median_h",
    "expert_answer_p90_h",
    "first_response_median_h",
    "first_response_p90_h",
    "with_docs_link",
    "docs_link_share",
    "docs_gaps_filed",
]


def monthly_rows(report: MonthlyReport) -> list[list[Cell]]:
    return [
        [
            row.month,
            row.tickets_created,
            row.solved,
            row.outreach,
            row.ticket_outreach,
            row.tracked_outreach,
            row.expert_responded,
            row.answered,
            row.response_rate,
            hours(row.expert_answer_median_seconds),
            hours(row.expert_answer_p90_seconds),
            hours(row.first_response_median_seconds),
            hours(row.first_response_p90_seconds),
            row.with_docs_link,
            row.docs_link_share,
            row.docs_gaps_filed,
        ]
        for row in report.series
    ]


def tables(report: MonthlyReport) -> list[Table]:
    """Return the report's tables, in the order of the workbook's sheets."""
    tags = report.tags
    return [
        Table("summary", "Summary", ["metric", "value"], summary_rows(report)),
        Table("monthly", "Monthly", MONTHLY_COLUMNS, monthly_rows(report)),
        Table("by_status", "By status", ["status", "tickets"], [[c.key, c.count] for c in report.by_status]),
        Table(
            "by_channel", "By channel", ["channel", "tickets"], [[c.key, c.count] for c in report.by_channel]
        ),
        Table(
            "tags",
            "Tag trends",
            ["tag", f"last_{tags.days}_days", f"previous_{tags.days}_days", "delta", "ratio"],
            [[t.tag, t.recent, t.previous, t.delta, t.ratio] for t in tags.tags],
        ),
    ]
