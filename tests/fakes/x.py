"""A local X API v2: recent search with since_id / start_time, next_token pages, expansions and 429s."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

JSON_TYPE = "application/json; charset=utf-8"
BASE_TIME = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def tweet(
    tweet_id: int,
    text: str,
    *,
    author: str = "2244994945",
    conversation: int | None = None,
    reply_to: int | None = None,
) -> dict[str, Any]:
    """Return a post with the tweet.fields the desk asks for."""
    created = (BASE_TIME + timedelta(seconds=tweet_id % 100_000)).isoformat(timespec="milliseconds")
    item: dict[str, Any] = {
        "id": str(tweet_id),
        "text": text,
        "edit_history_tweet_ids": [str(tweet_id)],
        "author_id": author,
        "conversation_id": str(conversation or tweet_id),
        "created_at": created.replace("+00:00", "Z"),
        "lang": "en",
    }
    if reply_to is not None:
        item["referenced_tweets"] = [{"type": "replied_to", "id": str(reply_to)}]
        item["in_reply_to_user_id"] = "783214"
    return item


@dataclass
class FakeX:
    server: HTTPServer
    tweets: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    token: str = "app-bearer-token"
    throttle: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeX:
        self.server.expect_request("/2/tweets/search/recent").respond_with_handler(self._search)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/2")

    def _search(self, request: Request) -> Response:
        args = {key: request.args[key] for key in request.args}
        page_token = args.get("next_token", "")
        with self._lock:
            if page_token in self.throttle:
                self.throttle.discard(page_token)
                reset = str(int(datetime.now(UTC).timestamp()) + 4)
                limits = {
                    "x-rate-limit-limit": "450",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": reset,
                }
                body = {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                }
                return Response(json.dumps(body), status=429, headers=limits, content_type=JSON_TYPE)
            self.requests.append(args)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
            return Response(json.dumps(body), status=401, content_type=JSON_TYPE)
        max_results = int(args.get("max_results", "10"))
        if not 10 <= max_results <= 100:
            body = {
                "errors": [{"parameters": {"max_results": [str(max_results)]}, "message": "out of range"}]
            }
            return Response(json.dumps(body), status=400, content_type=JSON_TYPE)
        term = args.get("query", "").split(" -")[0].strip('"').lower()
        matching = [t for t in self.tweets if term in str(t.get("text", "")).lower()]
        if "since_id" in args:
            matching = [t for t in matching if int(t["id"]) > int(args["since_id"])]
        matching.sort(key=lambda t: -int(t["id"]))
        offset = int(page_token.removeprefix("page-")) if page_token else 0
        page = matching[offset : offset + max_results]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if offset + max_results < len(matching):
            meta["next_token"] = f"page-{offset + max_results}"
        answer: dict[str, Any] = {"meta": meta}
        if page:
            answer["data"] = page
            authors = {t.get("author_id") for t in page}
            answer["includes"] = {"users": [self.users[a] for a in authors if a in self.users]}
        return Response(json.dumps(answer), content_type=JSON_TYPE)
