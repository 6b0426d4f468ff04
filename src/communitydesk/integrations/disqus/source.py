"""Comments of Disqus forums, read forwards with `since` + `order=asc` and Disqus's own page cursor.

The cursor `{since, cursor}` holds the last comment time reached and, mid-walk, Disqus's `cursor.next`;
a blog comment and a docs comment differ by forum (docs_forums) or by the thread's URL (docs_url_prefixes).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from communitydesk.db.base import utcnow
from communitydesk.integrations.base import (
    CredentialsError,
    MalformedItem,
    Page,
    ProviderError,
    RawItem,
    decode_cursor,
    encode_cursor,
)
from communitydesk.integrations.http import JsonApi
from communitydesk.mentions.schemas import MentionIn
from communitydesk.settings.intake import DisqusSettings

NAME = "disqus"
# Disqus error codes: 4 = access forbidden, 5 = invalid API key, 12/13/14 = application limits.
_CREDENTIAL_CODES = frozenset({4, 5})


def parse_disqus_time(value: object) -> datetime:
    """Parse Disqus's createdAt, UTC without an offset ('2008-06-10T02:31:43')."""
    if not isinstance(value, str):
        raise MalformedItem(f"createdAt must be a time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedItem(f"createdAt is not a time: {value!r}") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class DisqusSource:
    """Poll each configured Disqus forum."""

    name = NAME

    def __init__(
        self, settings: DisqusSettings, *, api: JsonApi, now: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        self.api = api
        self.now = now

    def scopes(self) -> Sequence[str]:
        return [f"forum:{forum}" for forum in self.settings.forums]

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor({"since": int(start.timestamp()), "cursor": None})

    def fetch(self, scope: str, cursor: str | None) -> Page:
        state = decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None))
        since = int(state.get("since") or 0)
        params: dict[str, Any] = {
            "api_key": self.settings.api_key.get_secret_value(),
            "forum": scope.removeprefix("forum:"),
            "since": since,
            "order": "asc",
            "limit": 100,
            "related": "thread",
            "include": "approved",
        }
        if state.get("cursor"):
            params["cursor"] = state["cursor"]
        response = self.api.send("GET", "/forums/listPosts.json", params=params)
        body = self._body(response)
        posts = body.get("response")
        if not isinstance(posts, list):
            raise ProviderError("disqus: listPosts answered without a response list")
        latest = since
        for post in posts:
            if isinstance(post, dict):
                with contextlib.suppress(MalformedItem):
                    latest = max(latest, int(parse_disqus_time(post.get("createdAt")).timestamp()))
        raw_cursor = body.get("cursor")
        page_cursor: dict[str, Any] = raw_cursor if isinstance(raw_cursor, dict) else {}
        if page_cursor.get("hasNext") and page_cursor.get("next"):
            next_state = {
                "since": since,
                "cursor": page_cursor["next"],
                "latest": max(latest, state.get("latest") or 0),
            }
            done = False
        else:
            # `since` is inclusive: start one second after the newest comment read.
            newest = max(latest, state.get("latest") or 0)
            next_state = {"since": newest + 1 if newest > since or posts else since, "cursor": None}
            done = True
        items = [post if isinstance(post, dict) else {"unexpected": post} for post in posts]
        return Page(items=items, next_cursor=encode_cursor(next_state), done=done)

    def _body(self, response: Any) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        code = body.get("code") if isinstance(body, dict) else None
        if code in _CREDENTIAL_CODES:
            raise CredentialsError(
                f"disqus refused the API key ({body.get('response')}); check DESK_DISQUS__API_KEY"
            )
        parsed = self.api.parse(response)
        if not isinstance(parsed, dict) or parsed.get("code") != 0:
            raise ProviderError(
                f"disqus: error {code}: {parsed.get('response') if isinstance(parsed, dict) else parsed}"
            )
        return parsed

    def channel_of(self, post: RawItem) -> str:
        """Return docs_comment for a docs forum or a thread under a docs URL prefix, else blog_comment."""
        if post.get("forum") in self.settings.docs_forums:
            return "docs_comment"
        thread = post.get("thread")
        link = thread.get("link") if isinstance(thread, dict) else None
        if isinstance(link, str) and any(
            link.startswith(prefix) for prefix in self.settings.docs_url_prefixes
        ):
            return "docs_comment"
        return "blog_comment"

    def normalize(self, raw: RawItem) -> MentionIn | None:
        post_id = raw.get("id")
        if not isinstance(post_id, str | int) or not str(post_id).isdigit():
            raise MalformedItem(f"post id must be a number, got {post_id!r}")
        if raw.get("isDeleted") or raw.get("isSpam") or raw.get("isApproved") is False:
            return None
        message = raw.get("message")
        if not isinstance(message, str) or not message.strip():
            raise MalformedItem("post without a message")
        thread = raw.get("thread")
        thread_id = thread.get("id") if isinstance(thread, dict) else thread
        link = thread.get("link") if isinstance(thread, dict) else None
        raw_author = raw.get("author")
        author: dict[str, Any] = raw_author if isinstance(raw_author, dict) else {}
        parent = raw.get("parent")
        return MentionIn(
            source=NAME,
            channel="docs_comment" if self.channel_of(raw) == "docs_comment" else "blog_comment",
            external_id=str(post_id),
            url=f"{link}#comment-{post_id}" if isinstance(link, str) and link.startswith("http") else None,
            author_handle=author.get("username") or author.get("name"),
            author_name=author.get("name"),
            title=thread.get("title") if isinstance(thread, dict) else None,
            text=message,
            created_at=parse_disqus_time(raw.get("createdAt")),
            parent_id=str(parent) if parent else None,
            root_id=f"thread-{thread_id}" if thread_id else None,
            raw=raw,
        )
