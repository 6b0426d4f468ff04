"""Hacker News mentions: Algolia `search_by_date` in closed time windows, Firebase for thread context.

A poll closes a window `since < created_at_i <= until` (until = now minus a settling delay, so items that
Algolia indexes late are still ahead of the cursor) and pages through it newest first. The window is in
the past, so its pages do not shift while we read them, and the cursor `{since, until, page}` resumes a
killed run at the exact page. Algolia serves at most 1,000 hits per query: at that depth the window's
upper bound moves down to the oldest hit seen and paging starts again from page 0.
"""

from __future__ import annotations

import logging
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
from communitydesk.settings.intake import HackerNewsSettings

logger = logging.getLogger(__name__)

NAME = "hackernews"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
PAGINATION_LIMIT = 1000
CONTEXT_KEY = "_desk"  # what the desk learned from Firebase, kept beside the Algolia hit


def item_url(item_id: object) -> str:
    """Return the public permalink of an HN item."""
    return ITEM_URL.format(item_id)


class HackerNewsSource:
    """Search HN through Algolia for each watched keyword (one scope, and one cursor, per keyword)."""

    name = NAME

    def __init__(
        self,
        settings: HackerNewsSettings,
        keywords: Sequence[str],
        *,
        algolia: JsonApi,
        firebase: JsonApi | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.keywords = [" ".join(keyword.split()) for keyword in keywords if keyword.strip()]
        self.algolia = algolia
        self.firebase = firebase
        self.now = now
        self._story_titles: dict[str, str | None] = {}

    # -- Source protocol -------------------------------------------------------------------------

    def scopes(self) -> list[str]:
        return [f"query:{keyword}" for keyword in self.keywords]

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor({"since": int(start.timestamp()), "until": None, "page": 0})

    def fetch(self, scope: str, cursor: str | None) -> Page:
        state = decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None))
        since = int(state.get("since", 0))
        until = state.get("until")
        page = int(state.get("page", 0))
        if until is None:
            until = int(self.now().timestamp()) - self.settings.settle_seconds
        until = int(until)
        if until <= since:
            return Page(
                items=[], next_cursor=encode_cursor({"since": since, "until": None, "page": 0}), done=True
            )

        body = self.algolia.get("/search_by_date", params=self._params(scope, since, until, page))
        hits, pages, total = self._hits(body)
        reached = (page + 1) * self.settings.hits_per_page
        times = [t for hit in hits if (t := _int_or_none(hit.get("created_at_i"))) is not None]
        done = False
        next_state: dict[str, int | None]
        if hits and reached >= PAGINATION_LIMIT and total > reached and times and min(times) < until:
            # Past Algolia's reach: read the rest of the window below the oldest hit seen.
            next_state = {"since": since, "until": min(times), "page": 0}
        elif hits and page + 1 < pages:
            next_state = {"since": since, "until": until, "page": page + 1}
        else:
            if total > reached and reached >= PAGINATION_LIMIT:
                logger.warning("hackernews: %s has more than %s hits in one second", scope, PAGINATION_LIMIT)
            next_state = {"since": until, "until": None, "page": 0}
            done = True
        self._add_context(hits)
        return Page(items=hits, next_cursor=encode_cursor(next_state), done=done)

    def normalize(self, raw: RawItem) -> MentionIn | None:
        object_id = str(raw.get("objectID") or "").strip()
        if not object_id.isdigit():
            raise MalformedItem(f"objectID must be an HN item id, got {raw.get('objectID')!r}")
        context = raw.get(CONTEXT_KEY) or {}
        if context.get("dead") or context.get("deleted"):
            return None
        created_at = _created_at(raw)
        tags = raw.get("_tags") or []
        author = raw.get("author")
        if "comment" in tags or raw.get("comment_text") is not None:
            text = raw.get("comment_text")
            if not isinstance(text, str) or not text.strip():
                raise MalformedItem("comment without comment_text")
            story_id = raw.get("story_id")
            return MentionIn(
                source=NAME,
                channel="hackernews",
                external_id=object_id,
                url=item_url(object_id),
                author_handle=author,
                title=raw.get("story_title") or context.get("story_title"),
                text=text,
                created_at=created_at,
                parent_id=_id_text(raw.get("parent_id")) or _id_text(story_id),
                root_id=_id_text(story_id),
                raw=raw,
            )
        title = raw.get("title")
        if not isinstance(title, str) or not title.strip():
            raise MalformedItem("story without a title")
        link = raw.get("url")
        text = raw.get("story_text") or (f"{title}\n{link}" if link else title)
        return MentionIn(
            source=NAME,
            channel="hackernews",
            external_id=object_id,
            url=item_url(object_id),
            author_handle=author,
            title=title,
            text=text,
            created_at=created_at,
            raw=raw,
        )

    # -- Algolia ---------------------------------------------------------------------------------

    def _params(self, scope: str, since: int, until: int, page: int) -> dict[str, Any]:
        keyword = scope.removeprefix("query:")
        tags = [tag for tag in self.settings.tags if tag]
        return {
            # A quoted query is a phrase with advancedSyntax; single words stay as they are.
            "query": f'"{keyword}"' if " " in keyword else keyword,
            "advancedSyntax": "true",
            "tags": f"({','.join(tags)})" if len(tags) > 1 else (tags[0] if tags else ""),
            "numericFilters": f"created_at_i>{since},created_at_i<={until}",
            "hitsPerPage": self.settings.hits_per_page,
            "page": page,
        }

    @staticmethod
    def _hits(body: Any) -> tuple[list[RawItem], int, int]:
        if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
            raise ProviderError("hackernews: search_by_date answered without a hits list")
        pages, total = body.get("nbPages"), body.get("nbHits")
        if not isinstance(pages, int) or not isinstance(total, int):
            raise ProviderError("hackernews: search_by_date answered without nbPages and nbHits")
        # A hit that is not an object is passed on as it is and rejected (and kept) by intake.
        hits = [hit if isinstance(hit, dict) else {"unexpected": hit} for hit in body["hits"]]
        return hits, pages, total

    # -- Firebase --------------------------------------------------------------------------------

    def _add_context(self, hits: list[RawItem]) -> None:
        if self.firebase is None:
            return
        for hit in hits:
            object_id = str(hit.get("objectID") or "")
            if not object_id.isdigit():
                continue
            context: dict[str, Any] = {}
            if self.settings.check_dead:
                item = self._item(object_id)
                if item is not None:
                    context["dead"] = bool(item.get("dead"))
                    context["deleted"] = bool(item.get("deleted"))
            story_id = _id_text(hit.get("story_id"))
            if "comment" in (hit.get("_tags") or []) and not hit.get("story_title") and story_id:
                context["story_title"] = self._story_title(story_id)
            if context:
                hit[CONTEXT_KEY] = context

    def _item(self, item_id: str) -> dict[str, Any] | None:
        assert self.firebase is not None
        item = self.firebase.get(f"/item/{item_id}.json")
        return item if isinstance(item, dict) else None

    def _story_title(self, story_id: str) -> str | None:
        if story_id not in self._story_titles:
            story = self._item(story_id)
            title = story.get("title") if story else None
            self._story_titles[story_id] = title if isinstance(title, str) else None
        return self._story_titles[story_id]


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _id_text(value: object) -> str | None:
    number = _int_or_none(value)
    return str(number) if number is not None else None


def _created_at(raw: RawItem) -> datetime:
    seconds = _int_or_none(raw.get("created_at_i"))
    if seconds is not None:
        return datetime.fromtimestamp(seconds, UTC)
    text = raw.get("created_at")
    if isinstance(text, str):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(UTC)
    raise MalformedItem(f"no valid created_at_i or created_at: {raw.get('created_at_i')!r}")
