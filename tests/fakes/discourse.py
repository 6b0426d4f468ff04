"""A local Discourse forum with the Solved plugin: /posts.json, /latest.json and /t/{id}.json.

Posts carry the field set of a live `/posts.json` answer; the Api-Key header is checked when the fake has
one, a chosen request is throttled once with 429 + Retry-After, and answers use Discourse's content type.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

JSON_TYPE = "application/json; charset=utf-8"
BASE_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def discourse_post(
    post_id: int,
    topic_id: int,
    post_number: int,
    cooked: str,
    *,
    username: str = "elliot",
    topic_title: str = "GitLab runner keeps failing on ARM",
    minutes: int = 0,
    accepted: bool = False,
) -> dict[str, Any]:
    """Return a post shaped like one of `/posts.json`'s latest_posts (Solved plugin installed)."""
    created = (
        (BASE_TIME + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", topic_title.lower()).strip("-")
    return {
        "id": post_id,
        "name": username.title(),
        "username": username,
        "avatar_template": f"/user_avatar/forum.example.com/{username}/{{size}}/14_2.png",
        "created_at": created,
        "cooked": cooked,
        "post_number": post_number,
        "post_type": 1,
        "posts_count": post_number,
        "updated_at": created,
        "reply_count": 0,
        "reply_to_post_number": None if post_number == 1 else 1,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": 4,
        "readers_count": 3,
        "score": 0.6,
        "yours": False,
        "topic_id": topic_id,
        "topic_slug": slug,
        "topic_title": topic_title,
        "topic_html_title": topic_title,
        "category_id": 9,
        "display_username": username.title(),
        "primary_group_name": None,
        "flair_name": None,
        "version": 1,
        "can_edit": False,
        "can_delete": False,
        "user_title": "",
        "bookmarked": False,
        "raw": re.sub(r"<[^>]+>", "", cooked),
        "actions_summary": [],
        "moderator": False,
        "admin": False,
        "staff": False,
        "user_id": 40 + post_id % 7,
        "hidden": False,
        "trust_level": 1,
        "deleted_at": None,
        "user_deleted": False,
        "edit_reason": None,
        "wiki": False,
        "excerpt": re.sub(r"<[^>]+>", "", cooked)[:100],
        "truncated": False,
        "post_url": f"/t/{slug}/{topic_id}/{post_number}",
        "can_accept_answer": False,
        "can_unaccept_answer": False,
        "accepted_answer": accepted,
        "topic_accepted_answer": None,
    }


@dataclass
class FakeDiscourse:
    server: HTTPServer
    posts: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 20
    api_key: str | None = None
    throttle: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeDiscourse:
        self.server.expect_request("/posts.json").respond_with_handler(self._posts)
        self.server.expect_request("/latest.json").respond_with_handler(self._latest)
        self.server.expect_request(re.compile(r"^/t/\d+\.json$")).respond_with_handler(self._topic)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def _guard(self, request: Request) -> Response | None:
        key = f"{request.path}?{request.query_string.decode()}"
        with self._lock:
            if key in self.throttle:
                self.throttle.discard(key)
                return Response(
                    json.dumps({"errors": ["You've performed this action too many times."]}),
                    status=429,
                    headers={"Retry-After": "5"},
                    content_type=JSON_TYPE,
                )
            self.requests.append(key)
        if self.api_key is not None and request.headers.get("Api-Key") != self.api_key:
            return Response(
                json.dumps({"errors": ["You are not permitted to view the requested resource."]}),
                status=403,
                content_type=JSON_TYPE,
            )
        return None

    def _posts(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        before = request.args.get("before", type=int)
        newest_first = sorted(self.posts, key=lambda post: -post["id"])
        if before is not None:
            newest_first = [post for post in newest_first if post["id"] < before]
        return Response(json.dumps({"latest_posts": newest_first[: self.page_size]}), content_type=JSON_TYPE)

    def _topics(self) -> list[dict[str, Any]]:
        topics: dict[int, dict[str, Any]] = {}
        for post in sorted(self.posts, key=lambda post: post["id"]):
            topic = topics.setdefault(
                post["topic_id"],
                {
                    "id": post["topic_id"],
                    "title": post["topic_title"],
                    "fancy_title": post["topic_title"],
                    "slug": post["topic_slug"],
                    "posts_count": 0,
                    "created_at": post["created_at"],
                    "pinned": False,
                    "category_id": post["category_id"],
                    "tags": [],
                    "has_accepted_answer": False,
                },
            )
            topic["posts_count"] += 1
            topic["last_posted_at"] = topic["bumped_at"] = post["created_at"]
            topic["has_accepted_answer"] = topic["has_accepted_answer"] or post["accepted_answer"]
        return sorted(topics.values(), key=lambda topic: topic["bumped_at"], reverse=True)

    def _latest(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        page = request.args.get("page", default=0, type=int)
        topics = self._topics()
        chunk = topics[page * 30 : (page + 1) * 30]
        topic_list: dict[str, Any] = {"can_create_topic": False, "per_page": 30, "topics": chunk}
        if (page + 1) * 30 < len(topics):
            topic_list["more_topics_url"] = f"/latest?page={page + 1}"
        return Response(
            json.dumps({"users": [], "primary_groups": [], "topic_list": topic_list}), content_type=JSON_TYPE
        )

    def _topic(self, request: Request) -> Response:
        if refused := self._guard(request):
            return refused
        topic_id = int(request.path.split("/")[-1].removesuffix(".json"))
        posts = sorted(
            (post for post in self.posts if post["topic_id"] == topic_id), key=lambda post: post["id"]
        )
        if not posts:
            return Response(
                json.dumps({"errors": ["The requested URL or resource could not be found."]}),
                status=404,
                content_type=JSON_TYPE,
            )
        accepted = next((post for post in posts if post["accepted_answer"]), None)
        body: dict[str, Any] = {
            "post_stream": {
                "posts": [
                    {k: v for k, v in post.items() if k not in ("topic_title", "topic_html_title")}
                    for post in posts
                ],
                "stream": [post["id"] for post in posts],
            },
            "id": topic_id,
            "title": posts[0]["topic_title"],
            "fancy_title": posts[0]["topic_title"],
            "slug": posts[0]["topic_slug"],
            "posts_count": len(posts),
            "created_at": posts[0]["created_at"],
            "has_accepted_answer": accepted is not None,
            "details": {"created_by": {"username": posts[0]["username"]}},
        }
        if accepted is not None:
            body["accepted_answer"] = {
                "post_number": accepted["post_number"],
                "username": accepted["username"],
                "name": accepted["name"],
                "excerpt": accepted["excerpt"],
                "accepter_username": "moderator",
                "accepter_name": "Moderator",
            }
        return Response(json.dumps(body), content_type=JSON_TYPE)
