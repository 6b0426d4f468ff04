"""Forum posts from a Discourse site.

Scope `posts` reads `/posts.json` (newest first) backwards with `before=<post id>` until it reaches the
newest post of the previous poll; the cursor `{after, top, before}` keeps the walk resumable, and `after`
moves up to `top` only when the gap is closed. Scope `solved` reads `/latest.json` for topics the Solved
plugin marks answered and fetches each one's accepted post from `/t/{id}.json`, so its ticket is tagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from communitydesk.db.base import utcnow
from communitydesk.integrations.base import (
    MalformedItem,
    Page,
    ProviderError,
    RawItem,
    decode_cursor,
    encode_cursor,
)
from communitydesk.integrations.http import JsonApi
from communitydesk.mentions.schemas import MentionIn
from communitydesk.settings.intake import DiscourseSettings

NAME = "discourse"
ACCEPTED_TAG = "accepted-answer"
SCOPES = ("posts", "solved")


def parse_time(value: object) -> datetime:
    """Parse a Discourse ISO time ('2026-01-21T23:29:42.524Z')."""
    if not isinstance(value, str):
        raise MalformedItem(f"created_at must be an ISO time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedItem(f"created_at is not an ISO time: {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def thread_key(topic_id: object) -> str:
    """Return the thread key every post of a topic shares."""
    return f"topic-{topic_id}"


def normalize_post(post: RawItem, *, base_url: str) -> MentionIn | None:
    """Turn a Discourse post (API or webhook shape) into a mention; hidden and deleted posts are skipped."""
    post_id, topic_id = post.get("id"), post.get("topic_id")
    if not isinstance(post_id, int) or not isinstance(topic_id, int):
        raise MalformedItem(f"post needs integer id and topic_id, got {post_id!r} and {topic_id!r}")
    if post.get("deleted_at") or post.get("hidden") or post.get("user_deleted"):
        return None
    if post.get("post_type", 1) not in (1, None):
        return None  # moderator actions, small actions and whispers are not mentions
    cooked = post.get("cooked")
    if not isinstance(cooked, str) or not cooked.strip():
        raise MalformedItem("post without cooked HTML")
    slug = post.get("topic_slug") or "topic"
    number = post.get("post_number") or 1
    return MentionIn(
        source=NAME,
        channel="forum",
        external_id=str(post_id),
        url=f"{base_url.rstrip('/')}/t/{slug}/{topic_id}/{number}" if base_url else None,
        author_handle=post.get("username"),
        author_name=post.get("name") or None,
        title=post.get("topic_title"),
        text=cooked,
        created_at=parse_time(post.get("created_at")),
        root_id=thread_key(topic_id),
        raw=post,
    )


class DiscourseSource:
    """Poll a Discourse forum's API."""

    name = NAME

    def __init__(
        self,
        settings: DiscourseSettings,
        *,
        api: JsonApi,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.api = api
        self.now = now

    def scopes(self) -> Sequence[str]:
        return SCOPES

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor({"after": None, "since": start.isoformat(), "top": None, "next": None})

    def fetch(self, scope: str, cursor: str | None) -> Page:
        state = decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None))
        if scope == "solved":
            return self._fetch_solved(state)
        return self._fetch_posts(state)

    def normalize(self, raw: RawItem) -> MentionIn | None:
        return normalize_post(raw, base_url=self.settings.base_url)

    def ticket_tags(self, raw: RawItem) -> Sequence[str]:
        return [ACCEPTED_TAG] if raw.get("accepted_answer") is True else []

    # -- /posts.json -------------------------------------------------------------------------------

    def _fetch_posts(self, state: dict[str, Any]) -> Page:
        after, before = state.get("after"), state.get("next")
        since = parse_time(state["since"]) if state.get("since") else None
        body = self.api.get("/posts.json", params={"before": before} if before else None)
        posts = body.get("latest_posts") if isinstance(body, dict) else None
        if not isinstance(posts, list):
            raise ProviderError("discourse: /posts.json answered without latest_posts")
        ids = [post["id"] for post in posts if isinstance(post, dict) and isinstance(post.get("id"), int)]
        top = state.get("top") or (max(ids) if ids else after)
        fresh, reached = [], not ids
        for post in posts:
            post_id = post.get("id") if isinstance(post, dict) else None
            if isinstance(post_id, int) and after is not None and post_id <= after:
                reached = True
                continue
            if since is not None and isinstance(post, dict) and _older_than(post, since):
                reached = True
                continue
            fresh.append(post if isinstance(post, dict) else {"unexpected": post})
        if reached or not ids or min(ids) <= 1:
            next_state = {"after": top, "since": None, "top": None, "next": None}
            done = True
        else:
            next_state = {"after": after, "since": state.get("since"), "top": top, "next": min(ids)}
            done = False
        fresh.reverse()  # oldest first, so a topic's first post makes its ticket before the replies
        return Page(items=fresh, next_cursor=encode_cursor(next_state), done=done)

    # -- /latest.json and /t/{id}.json ------------------------------------------------------------

    def _fetch_solved(self, state: dict[str, Any]) -> Page:
        after = state.get("after") or state.get("since")
        page = int(state.get("next") or 0)
        body = self.api.get("/latest.json", params={"page": page} if page else None)
        topic_list = body.get("topic_list") if isinstance(body, dict) else None
        topics = topic_list.get("topics") if isinstance(topic_list, dict) else None
        if not isinstance(topics, list):
            raise ProviderError("discourse: /latest.json answered without topic_list.topics")
        top = state.get("top") or max((str(t.get("bumped_at") or "") for t in topics), default=after)
        items: list[RawItem] = []
        reached = not topics
        for topic in topics:
            bumped = str(topic.get("bumped_at") or "")
            if after and bumped and bumped <= str(after) and not topic.get("pinned"):
                reached = True
                continue
            if topic.get("has_accepted_answer") and isinstance(topic.get("id"), int):
                accepted = self.accepted_post(topic["id"])
                if accepted is not None:
                    items.append(accepted)
        more = isinstance(topic_list, dict) and topic_list.get("more_topics_url")
        if reached or not more or page + 1 >= self.settings.max_pages:
            next_state = {"after": top, "since": None, "top": None, "next": None}
            return Page(items=items, next_cursor=encode_cursor(next_state), done=True)
        next_state = {"after": state.get("after"), "since": state.get("since"), "top": top, "next": page + 1}
        return Page(items=items, next_cursor=encode_cursor(next_state), done=False)

    def topic(self, topic_id: int) -> dict[str, Any]:
        """Return `/t/{id}.json`: the topic with its first posts and, with Solved, `accepted_answer`."""
        body = self.api.get(f"/t/{topic_id}.json")
        if not isinstance(body, dict) or not isinstance(body.get("post_stream"), dict):
            raise ProviderError(f"discourse: /t/{topic_id}.json answered without post_stream")
        return body

    def accepted_post(self, topic_id: int) -> RawItem | None:
        """Return the accepted answer's post of a topic, with topic fields filled in, or None."""
        topic = self.topic(topic_id)
        accepted = topic.get("accepted_answer")
        number = accepted.get("post_number") if isinstance(accepted, dict) else None
        for post in topic["post_stream"].get("posts") or []:
            if post.get("accepted_answer") is True or (
                number is not None and post.get("post_number") == number
            ):
                return {
                    "topic_title": topic.get("title"),
                    "topic_slug": topic.get("slug"),
                    **post,
                    "accepted_answer": True,
                }
        return None


def _older_than(post: RawItem, since: datetime) -> bool:
    try:
        return parse_time(post.get("created_at")) < since
    except MalformedItem:
        return False
