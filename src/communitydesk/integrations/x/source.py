"""Posts on X from API v2 recent search, within a monthly read budget.

Search answers newest first; `since_id` bounds a poll below and `next_token` pages down. The cursor keeps
`since_id`, the newest id of the current walk and the next token, so a killed walk resumes at its page
and `since_id` moves up only when the walk is complete. X bills every post read, so each page's size is
capped by what is left of the month's budget (the flow stores what was used, per UTC month).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from communitydesk.db.base import utcnow
from communitydesk.integrations.base import (
    BudgetExhaustedError,
    MalformedItem,
    Page,
    ProviderError,
    RawItem,
    decode_cursor,
    encode_cursor,
)
from communitydesk.integrations.http import JsonApi
from communitydesk.mentions.schemas import MentionIn
from communitydesk.settings.intake import XSettings

NAME = "x"
MIN_RESULTS = 10  # the API refuses max_results below 10
RECENT_WINDOW = timedelta(days=7) - timedelta(minutes=5)
TWEET_FIELDS = "author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,lang,entities"


class XSource:
    """Search recent posts for each watched keyword."""

    name = NAME

    def __init__(
        self,
        settings: XSettings,
        keywords: list[str],
        *,
        api: JsonApi,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.keywords = [" ".join(k.split()) for k in keywords if k.strip()]
        self.api = api
        self.now = now
        self.budget_limit = settings.monthly_read_budget
        self._remaining = settings.monthly_read_budget

    # -- Metered -------------------------------------------------------------------------------------

    def budget_period(self) -> str:
        return self.now().astimezone(UTC).strftime("%Y-%m")

    def set_budget_remaining(self, remaining: int) -> None:
        self._remaining = remaining

    # -- Source --------------------------------------------------------------------------------------

    def scopes(self) -> list[str]:
        return [f"query:{keyword}" for keyword in self.keywords]

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        earliest = self.now() - RECENT_WINDOW
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor(
            {"since_id": None, "start_time": max(start, earliest).isoformat(), "top": None, "next": None}
        )

    def query(self, scope: str) -> str:
        keyword = scope.removeprefix("query:")
        term = f'"{keyword}"' if " " in keyword else keyword
        return f"{term} {self.settings.extra_query}".strip()

    def fetch(self, scope: str, cursor: str | None) -> Page:
        state = decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None))
        if self._remaining < MIN_RESULTS:
            raise BudgetExhaustedError(
                f"x: the monthly read budget of {self.budget_limit} posts is used up for "
                f"{self.budget_period()} (DESK_X__MONTHLY_READ_BUDGET); polling resumes next month"
            )
        params: dict[str, Any] = {
            "query": self.query(scope),
            "max_results": max(MIN_RESULTS, min(self.settings.max_results, self._remaining)),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id,referenced_tweets.id",
            "user.fields": "username,name",
        }
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        elif state.get("start_time"):
            start = datetime.fromisoformat(state["start_time"])
            params["start_time"] = max(start, self.now() - RECENT_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
        if state.get("next"):
            params["next_token"] = state["next"]
        body = self.api.get("/tweets/search/recent", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
            raise ProviderError("x: recent search answered without meta")
        tweets = body.get("data") or []
        if not isinstance(tweets, list):
            raise ProviderError("x: recent search answered with data that is not a list")
        users = {
            user.get("id"): user
            for user in (body.get("includes") or {}).get("users") or []
            if isinstance(user, dict)
        }
        items: list[RawItem] = []
        for tweet in tweets:
            if isinstance(tweet, dict):
                author = users.get(tweet.get("author_id"))
                items.append({**tweet, "_desk": {"author": author}} if author else tweet)
            else:
                items.append({"unexpected": tweet})
        meta = body["meta"]
        top = state.get("top") or meta.get("newest_id")
        if meta.get("next_token") and tweets:
            next_state = {
                "since_id": state.get("since_id"),
                "start_time": state.get("start_time"),
                "top": top,
                "next": meta["next_token"],
            }
            done = False
        else:
            next_state = {
                "since_id": top or state.get("since_id"),
                "start_time": None,
                "top": None,
                "next": None,
            }
            if not next_state["since_id"]:
                next_state["start_time"] = state.get("start_time")
            done = True
        items.reverse()  # oldest first within the page, so a conversation's root comes before its replies
        return Page(items=items, next_cursor=encode_cursor(next_state), done=done, cost=len(tweets))

    def normalize(self, raw: RawItem) -> MentionIn | None:
        tweet_id, text = raw.get("id"), raw.get("text")
        if not isinstance(tweet_id, str) or not tweet_id.isdigit():
            raise MalformedItem(f"post id must be a numeric string, got {tweet_id!r}")
        if not isinstance(text, str) or not text.strip():
            raise MalformedItem("post without text")
        created = raw.get("created_at")
        try:
            created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError as exc:
            raise MalformedItem(f"created_at is not a time: {created!r}") from exc
        author = (raw.get("_desk") or {}).get("author") or {}
        username = author.get("username")
        replied_to = next(
            (ref.get("id") for ref in raw.get("referenced_tweets") or [] if ref.get("type") == "replied_to"),
            None,
        )
        conversation = raw.get("conversation_id")
        return MentionIn(
            source=NAME,
            channel="twitter",
            external_id=tweet_id,
            url=f"https://x.com/{username}/status/{tweet_id}"
            if username
            else f"https://x.com/i/web/status/{tweet_id}",
            author_handle=username or raw.get("author_id"),
            author_name=author.get("name"),
            text=text,
            created_at=created_at,
            parent_id=replied_to,
            # The root post names its own conversation too, so replies stored before it share its ticket.
            root_id=conversation if isinstance(conversation, str) and conversation else None,
            raw=raw,
        )
