"""The report's charts as Vega-Lite specs (Altair), and their PNG/SVG images drawn without a browser.

The same spec (data inlined) is drawn by vl-convert for the files and by vega-embed on the /metrics
page, so the images and the page always agree.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert

from communitydesk.metrics.report import MonthlyReport, hours

Spec = dict[str, Any]
WIDTH = 520
HEIGHT = 260


def _chart(rows: list[dict[str, Any]], title: str, *, height: int | alt.Step = HEIGHT) -> alt.Chart:
    data = alt.Data(values=rows)  # type: ignore[no-untyped-call]  # untyped in Altair
    return alt.Chart(data, title=title, width=WIDTH, height=height)


LEGEND = alt.Legend(orient="bottom", title=None, labelLimit=0)
BAR_STEP = alt.Step(22)  # one bar per tag or channel, as tall as a line of text


def _monthly_bars(report: MonthlyReport, title: str, series: dict[str, str]) -> Spec:
    """Grouped bars per month, one bar per (label -> MonthRow field) entry."""
    rows = [
        {"month": row.month, "series": label, "value": getattr(row, field)}
        for row in report.series
        for label, field in series.items()
    ]
    chart = (
        _chart(rows, title)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None),
            xOffset=alt.XOffset("series:N", sort=list(series)),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", sort=list(series), legend=LEGEND),
            tooltip=["month:O", "series:N", "value:Q"],
        )
    )
    spec: Spec = chart.to_dict()
    return spec


def outreach_chart(report: MonthlyReport) -> Spec:
    return _monthly_bars(
        report,
        "Expert outreach and responses by month",
        {"Outreach": "outreach", "Expert responded": "expert_responded", "Outreach answered": "answered"},
    )


def tickets_chart(report: MonthlyReport) -> Spec:
    return _monthly_bars(
        report, "Tickets created and solved by month", {"Created": "tickets_created", "Solved": "solved"}
    )


def docs_first_chart(report: MonthlyReport) -> Spec:
    return _monthly_bars(
        report,
        "Docs-first answers and docs gaps by month",
        {"Answers": "solved", "With a docs link": "with_docs_link", "Docs gaps filed": "docs_gaps_filed"},
    )


def response_times_chart(report: MonthlyReport) -> Spec:
    series = {
        "Expert answer, median": "expert_answer_median_seconds",
        "Expert answer, p90": "expert_answer_p90_seconds",
        "First response, median": "first_response_median_seconds",
        "First response, p90": "first_response_p90_seconds",
    }
    rows = [
        {"month": row.month, "series": label, "hours": hours(getattr(row, field))}
        for row in report.series
        for label, field in series.items()
    ]
    chart = (
        _chart(rows, "Response times by month (hours)")
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=None),
            y=alt.Y("hours:Q", title="hours"),
            color=alt.Color("series:N", sort=list(series), legend=LEGEND),
            tooltip=["month:O", "series:N", "hours:Q"],
        )
    )
    spec: Spec = chart.to_dict()
    return spec


def channels_chart(report: MonthlyReport) -> Spec:
    rows = [{"channel": count.key, "tickets": count.count} for count in report.by_channel]
    chart = (
        _chart(rows, f"Tickets by channel, {report.period.label}", height=BAR_STEP)
        .mark_bar()
        .encode(
            x=alt.X("tickets:Q", title="tickets"),
            y=alt.Y("channel:N", title=None, sort="-x"),
            tooltip=["channel:N", "tickets:Q"],
        )
    )
    spec: Spec = chart.to_dict()
    return spec


def rising_tags_chart(report: MonthlyReport, limit: int = 15) -> Spec:
    days = report.tags.days
    rows = [
        {"tag": t.tag, f"last {days} days": t.recent, f"previous {days} days": t.previous, "delta": t.delta}
        for t in report.rising_tags[:limit]
    ]
    chart = (
        _chart(rows, f"Tags with rising usage: last {days} days against the {days} before", height=BAR_STEP)
        .mark_bar()
        .encode(
            x=alt.X("delta:Q", title="more uses than the window before"),
            y=alt.Y("tag:N", title=None, sort="-x"),
            tooltip=["tag:N", f"last {days} days:Q", f"previous {days} days:Q", "delta:Q"],
        )
    )
    spec: Spec = chart.to_dict()
    return spec


def charts(report: MonthlyReport) -> dict[str, Spec]:
    """Return every chart of the report by file-name-safe name."""
    return {
        "outreach": outreach_chart(report),
        "response_times": response_times_chart(report),
        "tickets": tickets_chart(report),
        "channels": channels_chart(report),
        "rising_tags": rising_tags_chart(report),
        "docs_first": docs_first_chart(report),
    }


def to_png(spec: Spec) -> bytes:
    """Draw a chart as PNG (twice the pixel density, for slides)."""
    return bytes(vl_convert.vegalite_to_png(spec, scale=2))


def to_svg(spec: Spec) -> str:
    return str(vl_convert.vegalite_to_svg(spec))
