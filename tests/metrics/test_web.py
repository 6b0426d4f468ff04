"""The /metrics page: the month's numbers, the chart specs for the vendored Vega, downloads, and its CSP."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re

import openpyxl
from fastapi.testclient import TestClient

from tests.conftest import People
from tests.metrics.conftest import History
from tests.web.helpers import log_in

SPECS = re.compile(r'<script type="application/json" id="chart-specs">(.*?)</script>', re.S)
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def test_dashboard_of_october(app_client: TestClient, people: People, history: History) -> None:
    log_in(app_client, people.viewer.email)
    page = app_client.get("/metrics", params={"month": "2026-10"})
    assert page.status_code == 200
    html = page.text
    assert '<a href="/metrics">Metrics</a>' in html
    for metric, value in [
        ("outreach", "2"), ("expert_responded", "2"), ("response_rate", "50%"),
        ("expert_answer_median", "266 h"), ("first_response_median", "3.5 h"),
        ("tickets_created", "10"), ("docs_share", "50%"), ("docs_gaps", "1"),
    ]:  # fmt: skip
        assert f'data-metric="{metric}">{value}</span>' in html
    row = '<td><a href="/tickets?tag=runner">runner</a></td><td>3</td><td>0</td><td>+3</td><td>new</td>'
    assert row in html
    assert 'value="2026-10"' in html

    specs = json.loads(SPECS.search(html).group(1))  # type: ignore[union-attr]
    assert sorted(specs) == sorted(CHARTS_ON_PAGE)
    assert specs["outreach"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    outreach = {(v["month"], v["series"]): v["value"] for v in specs["outreach"]["data"]["values"]}
    assert (outreach[("2026-10", "Outreach")], outreach[("2026-08", "Outreach")]) == (2, 0)
    for name in CHARTS_ON_PAGE:
        assert f'data-chart="{name}"' in html

    # The only inline script allowed is the import map, by its hash; nothing loads from elsewhere.
    import_map = IMPORT_MAP.search(html).group(1)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    csp = page.headers["content-security-policy"]
    assert f"script-src 'self' 'sha256-{digest}'" in csp
    assert "unsafe" not in csp
    assert "https://" not in html.split("<main")[1].split('id="chart-specs"')[0]
    scripts = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.js", "metrics.js"]
    for script in [*scripts, "vega-util-global.js"]:
        assert app_client.get(f"/static/{script}").status_code == 200


CHARTS_ON_PAGE = ["outreach", "response_times", "tickets", "channels", "rising_tags", "docs_first"]


def test_downloads_follow_the_page_filters(app_client: TestClient, people: People, history: History) -> None:
    log_in(app_client, people.viewer.email)
    html = app_client.get("/metrics", params={"month": "2026-10", "channel": "forum"}).text
    assert 'href="/metrics/report.xlsx?month=2026-10&amp;channel=forum"' in html
    workbook = app_client.get("/metrics/report.xlsx", params={"month": "2026-10", "channel": "forum"})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Summary"]
    summary = dict(sheet.iter_rows(values_only=True))
    assert (summary["Filter"], summary["Tickets created"], summary["Outreach (tickets + tracked)"]) == (
        "channel=forum",
        1,
        1,
    )
    table = app_client.get("/metrics/report/by_status.csv", params={"month": "2026-10"})
    lines = table.text.splitlines()
    assert lines == ["status,tickets", "new,8", "open,1", "pending,0", "solved,1", "closed,0"]


def test_login_bad_input_and_hostile_filters(app_client: TestClient, people: People) -> None:
    assert app_client.get("/metrics", follow_redirects=False).status_code == 303
    log_in(app_client, people.viewer.email)
    bad = app_client.get("/metrics", params={"month": "2026-13"})
    assert bad.status_code == 422
    assert "invalid month" in bad.text
    hostile = app_client.get("/metrics", params={"month": "2026-10", "expert": '<script>alert(1)</script>"'})
    assert hostile.status_code == 200
    assert "<script>alert(1)" not in hostile.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
