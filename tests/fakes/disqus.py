"""A local Disqus API: forums/listPosts with `since`, `order=asc` and Disqus's page cursor.

Posts have the fields of the API's post object (id as a string, createdAt in UTC without an offset, thread
expanded by `related=thread`); errors use Disqus's `{"code", "response"}` envelope.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

JSON_TYPE = "application/json"
BASE_TIME = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)


def disqus_post(
    post_id: int,
    message: str,
    *,
    forum: str = "acme-blog",
    thread: int = 7001,
    minutes: int = 0,
    parent: int | None = None,
) -> dict[str, Any]:
    """Return a post as forums/listPosts returns it with related=thread."""
    created = (BASE_TIME + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")
    link = (
        f"https://docs.acme.com/runners/{thread}/"
        if forum == "acme-docs"
        else f"https://blog.acme.com/posts/{thread}/"
    )
    return {
        "editableUntil": created,
        "dislikes": 0,
        "thread": {
            "id": str(thread),
            "title": f"Post {thread}",
            "link": link,
            "identifiers": [f"post-{thread}"],
            "forum": forum,
            "createdAt": "2026-11-01T10:00:00",
            "posts": 3,
            "isClosed": False,
        },
        "numReports": 0,
        "likes": 1,
        "message": message,
        "id": str(post_id),
        "createdAt": created,
        "author": {
            "username": f"reader{post_id % 5}",
            "name": f"Reader {post_id % 5}",
            "profileUrl": f"https://disqus.com/by/reader{post_id % 5}/",
            "isAnonymous": False,
            "avatar": {"cache": "https://c.disquscdn.com/avatar.jpg"},
        },
        "media": [],
        "isSpam": False,
        "isDeletedByAuthor": False,
        "isHighlighted": False,
        "parent": parent,
        "isApproved": True,
        "isNewUserNeedsApproval": False,
        "isDeleted": False,
        "isFlagged": False,
        "raw_message": message,
        "isAtFlagLimit": False,
        "canVote": False,
        "forum": forum,
        "points": 1,
        "moderationLabels": [],
        "isEdited": False,
        "sb": False,
    }


@dataclass
class FakeDisqus:
    server: HTTPServer
    posts: list[dict[str, Any]] = field(default_factory=list)
    api_key: str = "public-key"
    limit: int = 4
    throttle: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeDisqus:
        self.server.expect_request("/api/3.0/forums/listPosts.json").respond_with_handler(self._list_posts)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/3.0")

    def _list_posts(self, request: Request) -> Response:
        args = {key: request.args[key] for key in request.args}
        cursor = args.get("cursor", "")
        with self._lock:
            if cursor in self.throttle:
                self.throttle.discard(cursor)
                body = {"code": 13, "response": "You have exceeded your hourly limit of requests"}
                return Response(
                    json.dumps(body), status=429, headers={"Retry-After": "3"}, content_type=JSON_TYPE
                )
            self.requests.append(args)
        if args.get("api_key") != self.api_key:
            return Response(
                json.dumps({"code": 5, "response": "Invalid API key"}), status=400, content_type=JSON_TYPE
            )
        since = int(args.get("since", "0"))
        matching = [
            post for post in self.posts if post["forum"] == args.get("forum") and _created(post) >= since
        ]
        matching.sort(key=lambda post: (post["createdAt"], int(post["id"])))
        offset = int(cursor.split(":")[1]) if cursor else 0
        limit = min(int(args.get("limit", "25")), self.limit)
        page = matching[offset : offset + limit]
        has_next = offset + limit < len(matching)
        body = {
            "cursor": {
                "prev": None,
                "hasNext": has_next,
                "next": f"{since}:{offset + limit}:0" if has_next else None,
                "hasPrev": offset > 0,
                "total": None,
                "id": f"{since}:{offset}:0",
                "more": has_next,
            },
            "code": 0,
            "response": page,
        }
        headers = {
            "X-Ratelimit-Limit": "1000",
            "X-Ratelimit-Remaining": "998",
            "X-Ratelimit-Reset": "1795262400",
        }
        return Response(json.dumps(body), headers=headers, content_type=JSON_TYPE)


def _created(post: dict[str, Any]) -> float:
    try:
        return datetime.fromisoformat(post["createdAt"]).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return float("inf")  # a malformed time still reaches the client, as a real bad record would
