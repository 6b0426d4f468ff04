"""/api/v1/metrics/...: every metric of the October history through the REST API, with its token auth."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from tests.api.helpers import get_ok
from tests.conftest import People, bearer
from tests.metrics.conftest import History

OCTOBER = {"month": "2026-10"}


def test_each_metric_of_october(app_client: TestClient, people: People, history: History) -> None:
    auth = bearer(people.viewer_token)  # reading metrics needs any role

    def get(path: str, **params: object) -> object:
        return get_ok(app_client, f"/api/v1/metrics/{path}", auth, **OCTOBER, **params)

    summary = get("summary")
    assert summary["tickets_created"] == 10
    assert summary["outreach"] == {
        "ticket_outreach": 2, "tracked_outreach": 0, "outreach": 2,
        "expert_responded": 2, "answered": 1, "response_rate": 0.5,
    }  # fmt: skip
    assert get("outreach") == summary["outreach"]
    assert get("expert-answer-time") == {"count": 2, "median_seconds": 957600.0, "p90_seconds": 1712160.0}
    assert get("first-response-time") == {"count": 2, "median_seconds": 12600.0, "p90_seconds": 19800.0}
    assert get("docs-first") == {"solved": 2, "with_docs_link": 1, "share": 0.5, "docs_gaps_filed": 1}
    assert {row["key"]: row["count"] for row in get("status")}["new"] == 8
    assert {row["key"]: row["count"] for row in get("channels")}["blog_comment"] == 7
    tags = get("tags")
    assert (tags["as_of"], tags["days"], tags["min_volume"]) == ("2026-11-01T00:00:00Z", 30, 2)
    assert [(t["tag"], t["delta"]) for t in tags["tags"]] == [
        ("runner", 3), ("ci-cache", 0), ("pages", -1), ("reached-out-to-expert", -1)
    ]  # fmt: skip
    assert [t["tag"] for t in get("tags", min_volume=3)["tags"]] == ["runner"]
    monthly = get("monthly")
    assert [row["month"] for row in monthly][::11] == ["2025-11", "2026-10"]
    assert [row["tickets_created"] for row in monthly] == [0] * 8 + [1, 0, 5, 10]
    assert [row["month"] for row in get("monthly", months=2)] == ["2026-09", "2026-10"]


def test_days_and_filters(app_client: TestClient, people: People, history: History) -> None:
    auth = bearer(people.viewer_token)
    first_of_october = get_ok(
        app_client, "/api/v1/metrics/summary", auth, **{"from": "2026-10-01", "to": "2026-10-01"}
    )
    assert (first_of_october["period"], first_of_october["tickets_created"]) == ("2026-10-01", 2)
    assert first_of_october["outreach"]["ticket_outreach"] == 1  # the forum outreach at 09:00
    forum = get_ok(app_client, "/api/v1/metrics/outreach", auth, **OCTOBER, channel="forum")
    assert (forum["outreach"], forum["expert_responded"]) == (1, 1)
    alice = get_ok(app_client, "/api/v1/metrics/outreach", auth, **OCTOBER, expert="Alice")
    assert (alice["outreach"], alice["expert_responded"]) == (1, 1)


def test_refusals(app_client: TestClient, people: People) -> None:
    assert app_client.get("/api/v1/metrics/summary").status_code == 401
    auth = bearer(people.viewer_token)
    for params, message in [
        ({"month": "October"}, "invalid month"),
        ({"month": "2026-10", "from": "2026-10-01"}, "not both"),
        ({"from": "2026-10-05", "to": "2026-10-01"}, "before it starts"),
        ({"channel": "myspace"}, "unknown channel"),
        ({"tag": "no tags!"}, "invalid tag"),
    ]:
        response = app_client.get("/api/v1/metrics/summary", headers=auth, params=params)
        assert response.status_code == 422, params
        assert message in response.json()["detail"]
    missing = app_client.get("/api/v1/metrics/report/secrets.csv", headers=auth, params=OCTOBER)
    assert missing.status_code == 404


def test_downloads(app_client: TestClient, people: People, history: History) -> None:
    auth = bearer(people.viewer_token)
    workbook = app_client.get("/api/v1/metrics/report.xlsx", headers=auth, params=OCTOBER)
    assert workbook.status_code == 200
    assert 'filename="report-2026-10.xlsx"' in workbook.headers["content-disposition"]
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert (sheets["Summary"]["A5"].value, sheets["Summary"]["B5"].value) == (
        "Outreach (tickets + tracked)",
        2,
    )
    table = app_client.get("/api/v1/metrics/report/monthly.csv", headers=auth, params=OCTOBER)
    assert table.headers["content-type"].startswith("text/csv")
    assert table.text.splitlines()[-1].startswith("2026-10,10,2,2,2,0,2,1,0.5,266.0,475.6,3.5,5.5,1,0.5,1")
