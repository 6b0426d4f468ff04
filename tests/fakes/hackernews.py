"""A local Hacker News: Algolia `search_by_date` and the Firebase item API, on a pytest-httpserver.

It filters, sorts and pages like Algolia (tags ORed in parentheses, `created_at_i` numeric filters, the
1,000-hit pagination cap), answers with Algolia's envelope and content type, and can be told to throttle
a page once (429 + Retry-After) or to answer slowly.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parents[1] / "integrations" / "fixtures" / "hackernews"
JSON_TYPE = "application/json; charset=UTF-8"  # what hn.algolia.com sends
FIREBASE_TYPE = "application/json; charset=utf-8"
PAGINATION_LIMIT = 1000
_NUMERIC = re.compile(r"^(created_at_i|points|num_comments)(<=|>=|<|>|=)(\d+)$")


def comment_hit(
    object_id: int,
    created_at_i: int,
    text: str,
    *,
    story_id: int = 9998227,
    story_title: str | None = "Why Write Python in Visual Studio?",
    parent_id: int | None = None,
    author: str = "tcas",
) -> dict[str, Any]:
    """Return a comment hit shaped like a live `search_by_date?tags=comment` hit."""
    created = datetime.fromtimestamp(created_at_i, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "_highlightResult": {
            "author": {"matchLevel": "none", "matchedWords": [], "value": author},
            "comment_text": {"matchLevel": "full", "matchedWords": ["gitlab"], "value": text},
        },
        "_tags": ["comment", f"author_{author}", f"story_{story_id}"],
        "author": author,
        "children": [],
        "comment_text": text,
        "created_at": created,
        "created_at_i": created_at_i,
        "objectID": str(object_id),
        "parent_id": parent_id if parent_id is not None else story_id,
        "points": None,
        "story_id": story_id,
        "story_title": story_title,
        "story_url": "http://blogs.msdn.com/b/visualstudio/archive/2015/08/03/why-write-python.aspx",
        "updated_at": "2023-09-07T03:22:05Z",
    }


def story_hits() -> list[dict[str, Any]]:
    """Return the recorded story hits (query 'tim cook', tags=story)."""
    data = json.loads((FIXTURES / "search_stories_tim_cook.json").read_text(encoding="utf-8"))
    hits: list[dict[str, Any]] = data["hits"]
    return hits


@dataclass
class FakeHackerNews:
    """The fake's state: hits to search, Firebase items, and the misbehaviour to show."""

    server: HTTPServer
    hits: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    throttle_pages: set[int] = field(default_factory=set)
    retry_after: str = "2"
    delay_seconds: float = 0.0
    searches: list[dict[str, str]] = field(default_factory=list)
    firebase_requests: list[str] = field(default_factory=list)
    _throttled: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeHackerNews:
        self.server.expect_request("/api/v1/search_by_date").respond_with_handler(self._search)
        self.server.expect_request(re.compile(r"^/v0/item/\d+\.json$")).respond_with_handler(self._item)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/v1")

    @property
    def firebase_url(self) -> str:
        return self.server.url_for("/v0")

    def pages_served(self) -> int:
        with self._lock:
            return len(self.searches)

    # -- Algolia ------------------------------------------------------------------------------------

    def _search(self, request: Request) -> Response:
        args = {key: request.args[key] for key in request.args}
        page = int(args.get("page", "0"))
        with self._lock:
            if page in self.throttle_pages and page not in self._throttled:
                self._throttled.add(page)
                return Response(
                    json.dumps({"message": "Too many requests", "status": 429}),
                    status=429,
                    headers={"Retry-After": self.retry_after},
                    content_type=JSON_TYPE,
                )
            self.searches.append(args)
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        per_page = int(args.get("hitsPerPage", "20"))
        if page * per_page >= PAGINATION_LIMIT:
            message = "you can only fetch the 1000 hits for this query. You can extend the number of hits"
            return Response(
                json.dumps({"message": message, "status": 400}), status=400, content_type=JSON_TYPE
            )
        matches = sorted(
            (hit for hit in self.hits if self._matches(hit, args)),
            key=lambda hit: -int(hit.get("created_at_i") or 0),
        )
        reachable = matches[:PAGINATION_LIMIT]
        # Like Algolia, nbHits counts every match while nbPages stops at the 1,000-hit limit.
        pages = (len(reachable) + per_page - 1) // per_page
        body = {
            "hits": reachable[page * per_page : (page + 1) * per_page],
            "nbHits": len(matches),
            "page": page,
            "nbPages": pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "exhaustiveTypo": True,
            "query": args.get("query", ""),
            "params": request.query_string.decode(),
            "processingTimeMS": 3,
        }
        return Response(json.dumps(body), content_type=JSON_TYPE)

    @staticmethod
    def _matches(hit: dict[str, Any], args: dict[str, str]) -> bool:
        tags = args.get("tags", "")
        if tags:
            wanted = tags.strip("()").split(",")
            if not set(wanted) & set(hit.get("_tags") or []):
                return False
        for condition in filter(None, args.get("numericFilters", "").split(",")):
            found = _NUMERIC.match(condition)
            if not found:
                continue
            name, op, number = found.group(1), found.group(2), int(found.group(3))
            value = hit.get(name)
            if not isinstance(value, int):
                continue
            ok = {
                "<": value < number,
                "<=": value <= number,
                ">": value > number,
                ">=": value >= number,
                "=": value == number,
            }[op]
            if not ok:
                return False
        query = args.get("query", "").strip('"').lower()
        if query:
            fields = (hit.get("comment_text"), hit.get("title"), hit.get("story_text"), hit.get("url"))
            if not any(query in str(text).lower() for text in fields if text):
                return False
        return True

    # -- Firebase ------------------------------------------------------------------------------------

    def _item(self, request: Request) -> Response:
        item_id = request.path.rsplit("/", 1)[-1].removesuffix(".json")
        with self._lock:
            self.firebase_requests.append(item_id)
        item = self.items.get(item_id)
        if item is None:
            hit = next((hit for hit in self.hits if hit.get("objectID") == item_id), None)
            item = _firebase_item(hit) if hit else None
        # Firebase answers an unknown id with 200 and the JSON literal null.
        return Response(json.dumps(item), content_type=FIREBASE_TYPE)


def _firebase_item(hit: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "by": hit.get("author"),
        "id": int(hit["objectID"]),
        "time": hit.get("created_at_i"),
    }
    if "comment" in (hit.get("_tags") or []):
        item.update(type="comment", text=hit.get("comment_text"), parent=hit.get("parent_id"))
    else:
        item.update(type="story", title=hit.get("title"), url=hit.get("url"), score=hit.get("points"))
    return item
