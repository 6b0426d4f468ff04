"""A local Reddit: the OAuth token endpoint and newest-first listings with `after` cursors.

Listings replay the recorded payloads in tests/integrations/fixtures/reddit (graw's test data, captured
from the real API); every answer carries Reddit's X-Ratelimit-* headers, and a chosen request is answered
once with 429 and only an X-Ratelimit-Reset header, as Reddit does.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parents[1] / "integrations" / "fixtures" / "reddit"
JSON_TYPE = "application/json; charset=UTF-8"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def subreddit_posts() -> list[dict[str, Any]]:
    """Return the recorded r/netsec listing's children (t3)."""
    children: list[dict[str, Any]] = recorded("graw_testdata_subreddit.json")["data"]["children"]
    return children


def thread_comments() -> list[dict[str, Any]]:
    """Return the recorded comment tree's top-level children (t1, and one 'more' stub)."""
    children: list[dict[str, Any]] = recorded("graw_testdata_thread.json")[1]["data"]["children"]
    return children


@dataclass
class FakeReddit:
    server: HTTPServer
    listings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    client_id: str = "script-app-id"
    client_secret: str = "script-app-secret"
    username: str = "desk-bot"
    password: str = "hunter2"
    throttle: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeReddit:
        self.server.expect_request("/api/v1/access_token", method="POST").respond_with_handler(self._token)
        for path in self.listings:
            self.server.expect_request(path, method="GET").respond_with_handler(self._listing)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def token_url(self) -> str:
        return self.server.url_for("/api/v1/access_token")

    def _token(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if auth != expected:
            return Response(
                json.dumps({"message": "Unauthorized", "error": 401}), status=401, content_type=JSON_TYPE
            )
        form = request.form
        if form.get("grant_type") != "password" or (form.get("username"), form.get("password")) != (
            self.username,
            self.password,
        ):
            return Response(json.dumps({"error": "invalid_grant"}), content_type=JSON_TYPE)
        with self._lock:
            token = f"token-{len(self.tokens) + 1}"
            self.tokens.add(token)
        body = {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        return Response(json.dumps(body), content_type=JSON_TYPE)

    def _listing(self, request: Request) -> Response:
        key = f"{request.path}?after={request.args.get('after', '')}"
        limits = {"X-Ratelimit-Used": "1", "X-Ratelimit-Remaining": "99.0", "X-Ratelimit-Reset": "420"}
        with self._lock:
            if key in self.throttle:
                self.throttle.discard(key)
                limits.update({"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "7"})
                return Response(
                    json.dumps({"message": "Too Many Requests", "error": 429}),
                    status=429,
                    headers=limits,
                    content_type=JSON_TYPE,
                )
            self.requests.append(key)
        token = request.headers.get("Authorization", "").removeprefix("bearer ")
        if token not in self.tokens or "User-Agent" not in request.headers:
            return Response(
                json.dumps({"message": "Unauthorized", "error": 401}), status=401, content_type=JSON_TYPE
            )
        children = self.listings[request.path]
        ordered = sorted(children, key=lambda child: -_created(child))
        after = request.args.get("after")
        if after:
            names = [child.get("data", {}).get("name") for child in ordered]
            ordered = ordered[names.index(after) + 1 :] if after in names else []
        limit = int(request.args.get("limit", "25"))
        page = ordered[:limit]
        more = len(ordered) > limit
        data = {
            "after": page[-1]["data"].get("name") if more and page else None,
            "dist": len(page),
            "modhash": "",
            "geo_filter": "",
            "children": page,
            "before": None,
        }
        return Response(json.dumps({"kind": "Listing", "data": data}), headers=limits, content_type=JSON_TYPE)


def _created(child: dict[str, Any]) -> float:
    value = child.get("data", {}).get("created_utc")
    return float(value) if isinstance(value, int | float) else 0.0
