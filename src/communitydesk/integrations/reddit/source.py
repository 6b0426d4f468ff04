"""Reddit mentions: new posts and comments of chosen subreddits, and a site-wide search per keyword.

Listings are newest first with `after=<fullname>` towards older items; each scope walks down to the
`created_utc` mark of its previous poll (see integrations.listing). Comments are read from
`/r/<sub>/comments` and filtered locally, because Reddit's search finds submissions only.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

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
from communitydesk.integrations.listing import Walk
from communitydesk.mentions.schemas import MentionIn
from communitydesk.settings.intake import RedditSettings

NAME = "reddit"
SITE = "https://www.reddit.com"
GONE = frozenset({"[deleted]", "[removed]"})


class RedditToken:
    """An OAuth bearer token from the password grant of a script app, renewed before it expires."""

    def __init__(
        self, settings: RedditSettings, client: httpx.Client, *, clock: Callable[[], float] = time.time
    ):
        self.settings = settings
        self.client = client
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0

    def header(self) -> dict[str, str]:
        if self._token is None or self.clock() > self._expires - 60:
            self._fetch()
        return {"Authorization": f"bearer {self._token}"}

    def forget(self) -> None:
        self._token = None

    def _fetch(self) -> None:
        response = self.client.post(
            self.settings.token_url,
            auth=(self.settings.client_id, self.settings.client_secret.get_secret_value()),
            data={
                "grant_type": "password",
                "username": self.settings.username,
                "password": self.settings.password.get_secret_value(),
            },
            headers={"User-Agent": self.settings.user_agent},
        )
        body: Any = None
        if "json" in response.headers.get("Content-Type", ""):
            body = response.json()
        # Reddit answers a wrong password with 200 and {"error": "invalid_grant"}.
        if response.status_code in (401, 403) or not isinstance(body, dict) or "access_token" not in body:
            reason = body.get("error") if isinstance(body, dict) else f"HTTP {response.status_code}"
            raise CredentialsError(
                f"reddit refused the credentials ({reason}); check DESK_REDDIT__CLIENT_ID, "
                "DESK_REDDIT__CLIENT_SECRET, DESK_REDDIT__USERNAME and DESK_REDDIT__PASSWORD"
            )
        self._token = str(body["access_token"])
        self._expires = self.clock() + float(body.get("expires_in", 3600))


class RedditSource:
    """Poll subreddit listings and search."""

    name = NAME

    def __init__(
        self,
        settings: RedditSettings,
        keywords: Sequence[str],
        *,
        api: JsonApi,
        token: RedditToken,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.keywords = [" ".join(k.split()) for k in keywords if k.strip()]
        self.api = api
        self.token = token
        self.now = now

    def scopes(self) -> list[str]:
        scopes = []
        for sub in self.settings.subreddits:
            sub = sub.removeprefix("r/").strip("/")
            scopes += [f"r/{sub}/new", f"r/{sub}/comments"]
        if self.settings.search:
            scopes += [f"search:{keyword}" for keyword in self.keywords]
        return scopes

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor({"mark": None, "top": None, "next": None, "since": start.timestamp()})

    def fetch(self, scope: str, cursor: str | None) -> Page:
        walk = Walk.load(decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None)))
        params: dict[str, Any] = {"limit": self.settings.page_size}
        if walk.next:
            params["after"] = walk.next
        if scope.startswith("search:"):
            keyword = scope.removeprefix("search:")
            path = "/search"
            params.update(q=f'"{keyword}"' if " " in keyword else keyword, sort="new", type="link", t="all")
        else:
            path = "/" + scope
        body = self._get(path, params)
        data = body.get("data") if isinstance(body, dict) else None
        children = data.get("children") if isinstance(data, dict) else None
        if not isinstance(children, list):
            raise ProviderError(f"reddit: {path} answered without a Listing")
        floor = walk.floor()
        items: list[RawItem] = []
        keys: list[float] = []
        reached = False
        for child in children:
            item = child if isinstance(child, dict) else {"unexpected": child}
            created = (
                (item.get("data") or {}).get("created_utc") if isinstance(item.get("data"), dict) else None
            )
            if isinstance(created, int | float):
                keys.append(float(created))
                if floor is not None and created < floor:
                    reached = True
                    continue
            items.append(item)
        items.reverse()  # oldest first within the page: a post before the comments on it
        next_token = data.get("after") if isinstance(data, dict) else None
        next_cursor, done = walk.advance(keys=keys, next_token=next_token, reached=reached)
        return Page(items=items, next_cursor=next_cursor, done=done)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        headers = {**self.token.header(), "User-Agent": self.settings.user_agent}
        try:
            return self.api.get(path, params=params, headers=headers)
        except CredentialsError:
            # An expired or revoked token: get a new one once, then let a second refusal stand.
            self.token.forget()
            headers.update(self.token.header())
            return self.api.get(path, params=params, headers=headers)

    def normalize(self, raw: RawItem) -> MentionIn | None:
        kind, data = raw.get("kind"), raw.get("data")
        if kind == "more":
            return None
        if kind not in ("t1", "t3") or not isinstance(data, dict):
            raise MalformedItem(f"expected a t1 comment or t3 post, got kind {kind!r}")
        name, created = data.get("name"), data.get("created_utc")
        if not isinstance(name, str) or not name.startswith(f"{kind}_"):
            raise MalformedItem(f"fullname missing or wrong: {name!r}")
        if not isinstance(created, int | float):
            raise MalformedItem(f"created_utc must be a number, got {created!r}")
        if data.get("author") in GONE and (data.get("body") in GONE or data.get("selftext") in GONE):
            return None
        created_at = datetime.fromtimestamp(created, UTC)
        if kind == "t1":
            body = data.get("body_html") or data.get("body")
            if not isinstance(body, str) or not body.strip():
                raise MalformedItem("comment without body")
            link_id = data.get("link_id")
            permalink = data.get("permalink") or (
                f"/r/{data.get('subreddit')}/comments/{str(link_id).removeprefix('t3_')}/_/{data.get('id')}/"
            )
            return MentionIn(
                source=NAME,
                channel="reddit",
                external_id=name,
                url=SITE + permalink,
                author_handle=data.get("author"),
                title=data.get("link_title"),
                text=html.unescape(body) if data.get("body_html") else body,
                created_at=created_at,
                parent_id=data.get("parent_id"),
                root_id=link_id,
                raw=raw,
            )
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise MalformedItem("post without a title")
        text = data.get("selftext_html")
        text = html.unescape(text) if isinstance(text, str) and text else (data.get("selftext") or "")
        return MentionIn(
            source=NAME,
            channel="reddit",
            external_id=name,
            url=SITE + str(data.get("permalink") or f"/comments/{data.get('id')}/"),
            author_handle=data.get("author"),
            title=title,
            text=text or f"{title}\n{data.get('url') or ''}".strip(),
            created_at=created_at,
            raw=raw,
        )
