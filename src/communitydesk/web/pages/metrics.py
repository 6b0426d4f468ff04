"""The metrics dashboard: the monthly report's numbers and charts for a period, with downloads."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from communitydesk.api.deps import DbSession, DeskDep
from communitydesk.api.metrics import (
    TABLES,
    MetricsQuery,
    csv_response,
    metrics_query,
    monthly_report,
    xlsx_response,
)
from communitydesk.metrics.charts import charts
from communitydesk.metrics.report import hours_text
from communitydesk.tickets.schemas import CHANNELS
from communitydesk.web.auth import CurrentUser
from communitydesk.web.errors import PageRoute
from communitydesk.web.present import CHANNEL_LABELS
from communitydesk.web.templating import PAGE_HEADERS, render

router = APIRouter(route_class=PageRoute)

# vega-interpreter.js imports `vega-util` by name; this import map (allowed by its hash, so no inline
# script is trusted in general) points that name at a shim over the vega bundle.
IMPORT_MAP = json.dumps({"imports": {"vega-util": "/static/vega-util-global.js"}}, separators=(",", ":"))
_IMPORT_MAP_HASH = base64.b64encode(hashlib.sha256(IMPORT_MAP.encode()).digest()).decode()
METRICS_HEADERS = {
    "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"]
    + f"; script-src 'self' 'sha256-{_IMPORT_MAP_HASH}'"
}
FILTERS = ("channel", "stage", "group", "expert", "tag")


def _query_string(request: Request) -> str:
    """Return the page's period and filter parameters, for the download links."""
    keep = {
        key: value
        for key, value in request.query_params.items()
        if value and key in {"month", "from", "to", *FILTERS}
    }
    return urlencode(keep)


@router.get("/metrics")
def metrics_page(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    desk: DeskDep,
    asked: Annotated[MetricsQuery, Depends(metrics_query)],
) -> Response:
    """Show the report of the period's month: numbers, rising tags, breakdowns and charts."""
    report = monthly_report(asked, db, desk)
    query = _query_string(request)
    context = {
        "report": report,
        "asked": asked,
        "params": {key: request.query_params.get(key, "") for key in ("month", "from", "to", *FILTERS)},
        "month_value": report.period.label,
        "channels": [(value, CHANNEL_LABELS.get(value, value)) for value in CHANNELS],
        "chart_specs": charts(report),
        "import_map": IMPORT_MAP,
        "hours": hours_text,
        "xlsx_url": "/metrics/report.xlsx" + (f"?{query}" if query else ""),
        "csv_urls": [
            (name, f"/metrics/report/{name}.csv" + (f"?{query}" if query else "")) for name in TABLES
        ],
    }
    return render(request, "metrics.html", context, headers=METRICS_HEADERS)


@router.get("/metrics/report.xlsx")
def metrics_xlsx(
    user: CurrentUser, db: DbSession, desk: DeskDep, asked: Annotated[MetricsQuery, Depends(metrics_query)]
) -> Response:
    """Download the month's workbook."""
    return xlsx_response(monthly_report(asked, db, desk))


@router.get("/metrics/report/{table}.csv")
def metrics_csv(
    table: str,
    user: CurrentUser,
    db: DbSession,
    desk: DeskDep,
    asked: Annotated[MetricsQuery, Depends(metrics_query)],
) -> Response:
    """Download one table of the month's report as CSV."""
    return csv_response(monthly_report(asked, db, desk), table)
