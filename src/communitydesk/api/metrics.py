"""Metrics: one endpoint per metric, for a period (a month or days) and filters (docs/metrics.md)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from communitydesk.api.deps import DbSession, DeskDep
from communitydesk.db.base import utcnow
from communitydesk.metrics import counts, docs_first, durations, filters, outreach, service, trends
from communitydesk.metrics.export import table_csv, write_xlsx
from communitydesk.metrics.report import MonthlyReport, build_monthly_report, tables
from communitydesk.metrics.schemas import (
    Count,
    DocsFirst,
    Durations,
    MetricsFilter,
    MonthRow,
    Outreach,
    Period,
    PeriodError,
    Summary,
    TagTrends,
)
from communitydesk.tickets.service import TicketError

router = APIRouter(prefix="/metrics", tags=["metrics"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = ("summary", "monthly", "by_status", "by_channel", "tags")


@dataclass(frozen=True)
class MetricsQuery:
    """The period and filters of a metrics request."""

    period: Period
    filter: MetricsFilter


def metrics_query(
    month: Annotated[str, Query(description="A month, YYYY-MM (UTC). Default: the current month.")] = "",
    start: Annotated[
        date | None, Query(alias="from", description="First day, YYYY-MM-DD (instead of month).")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day, included.")] = None,
    channel: Annotated[str, Query(max_length=20)] = "",
    stage: Annotated[str, Query(max_length=100)] = "",
    group: Annotated[str, Query(max_length=100)] = "",
    expert: Annotated[
        str, Query(max_length=200, description="Tickets whose outreach notes name him or her.")
    ] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
) -> MetricsQuery:
    """Read the period and filters, or answer 422 with the reason."""
    try:
        period = Period.choose(month=month, first=start, last=end, now=utcnow())
        flt = filters.make_filter(channel=channel, stage=stage, group=group, expert=expert, tag=tag)
    except (PeriodError, TicketError, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    return MetricsQuery(period, flt)


Asked = Annotated[MetricsQuery, Depends(metrics_query)]


@router.get("/summary")
def get_summary(asked: Asked, db: DbSession, desk: DeskDep) -> Summary:
    """Every single-number metric of the period."""
    return service.summary(db, asked.period, asked.filter, desk.settings.resolved_docs_url_bases)


@router.get("/outreach")
def get_outreach(asked: Asked, db: DbSession) -> Outreach:
    """Outreach (tickets + tracked), expert responses, answered outreach and the response rate."""
    return outreach.outreach_by_period(db, [asked.period], asked.filter)[asked.period.label]


@router.get("/expert-answer-time")
def get_expert_answer_time(asked: Asked, db: DbSession) -> Durations:
    """Time from outreach to the expert's answer, for answers in the period: count, median, p90 (seconds)."""
    return durations.expert_answer_time_by_period(db, [asked.period], asked.filter)[asked.period.label]


@router.get("/first-response-time")
def get_first_response_time(asked: Asked, db: DbSession) -> Durations:
    """Time to first response of tickets created in the period: count, median, p90 (seconds)."""
    return durations.first_response_time_by_period(db, [asked.period], asked.filter)[asked.period.label]


@router.get("/docs-first")
def get_docs_first(asked: Asked, db: DbSession, desk: DeskDep) -> DocsFirst:
    """Answers (tickets solved), those with a docs link, their share, and docs gaps filed."""
    bases = desk.settings.resolved_docs_url_bases
    return docs_first.docs_first_by_period(db, [asked.period], asked.filter, bases)[asked.period.label]


@router.get("/status")
def get_by_status(asked: Asked, db: DbSession) -> list[Count]:
    """Tickets created in the period by their status now."""
    return counts.tickets_by_status(db, asked.period, asked.filter)


@router.get("/channels")
def get_by_channel(asked: Asked, db: DbSession) -> list[Count]:
    """Tickets created in the period by channel."""
    return counts.tickets_by_channel(db, asked.period, asked.filter)


@router.get("/tags")
def get_tag_trends(
    asked: Asked,
    db: DbSession,
    desk: DeskDep,
    days: Annotated[
        int | None, Query(ge=1, le=366, description="Window length. Default: the setting.")
    ] = None,
    min_volume: Annotated[int | None, Query(ge=1, description="Minimum use in either window.")] = None,
) -> TagTrends:
    """Tag use in the days up to the period's end (or now) against the days before: tags with rising usage."""
    settings = desk.settings.metrics
    return trends.tag_trends(
        db,
        min(asked.period.end, utcnow()),
        asked.filter,
        days=days or settings.rising_tags_days,
        min_volume=min_volume or settings.rising_tags_min_volume,
    )


@router.get("/monthly")
def get_monthly(
    asked: Asked,
    db: DbSession,
    desk: DeskDep,
    months: Annotated[
        int | None, Query(ge=1, le=60, description="How many months. Default: the setting.")
    ] = None,
) -> list[MonthRow]:
    """Every metric per calendar month, ending with the period's month; empty months are zeros."""
    series = asked.period.months_back(months or desk.settings.metrics.series_months)
    return service.monthly_series(db, series, asked.filter, desk.settings.resolved_docs_url_bases)


def monthly_report(asked: MetricsQuery, db: DbSession, desk: DeskDep) -> MonthlyReport:
    """Build the report of the asked month (the month the period starts in)."""
    return build_monthly_report(
        db,
        Period.month(asked.period.start.strftime("%Y-%m")),
        asked.filter,
        settings=desk.settings.metrics,
        docs_url_bases=desk.settings.resolved_docs_url_bases,
        now=utcnow(),
    )


def xlsx_response(report: MonthlyReport) -> Response:
    buffer = io.BytesIO()
    write_xlsx(report, buffer)
    filename = f"report-{report.period.label}.xlsx"
    return Response(
        buffer.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_response(report: MonthlyReport, name: str) -> Response:
    table = next((table for table in tables(report) if table.name == name), None)
    if table is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no table {name!r}; expected one of {TABLES}")
    filename = f"report-{report.period.label}-{name}.csv"
    return Response(
        table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/report.xlsx", response_class=Response, responses={200: {"content": {XLSX_TYPE: {}}}})
def get_report_xlsx(asked: Asked, db: DbSession, desk: DeskDep) -> Response:
    """The monthly report workbook of the period's month (one sheet per table, native charts)."""
    return xlsx_response(monthly_report(asked, db, desk))


@router.get("/report/{table}.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def get_report_csv(table: str, asked: Asked, db: DbSession, desk: DeskDep) -> Response:
    """One table of the monthly report as CSV: summary, monthly, by_status, by_channel or tags."""
    return csv_response(monthly_report(asked, db, desk), table)
