"""Zendesk tickets through the incremental cursor export, each with its tags.

`/incremental/tickets/cursor.json` starts from `start_time` and then follows `after_cursor`; at
`end_of_stream` the last cursor is kept, so the next poll continues with tickets changed since. A ticket
seen again (it was updated) is a duplicate mention, and its tags are added to the desk ticket again.
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
from communitydesk.settings.intake import ZendeskSettings

NAME = "zendesk"
SCOPE = "tickets"


class ZendeskSource:
    """Import tickets from one Zendesk account."""

    name = NAME

    def __init__(
        self, settings: ZendeskSettings, *, api: JsonApi, now: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        self.api = api
        self.now = now

    def scopes(self) -> Sequence[str]:
        return [SCOPE]

    def initial_cursor(self, scope: str, since: datetime | None) -> str:
        start = since if since is not None else self.now() - timedelta(hours=self.settings.backfill_hours)
        return encode_cursor({"start_time": int(start.timestamp()), "cursor": None})

    def fetch(self, scope: str, cursor: str | None) -> Page:
        state = decode_cursor(cursor) or decode_cursor(self.initial_cursor(scope, None))
        params: dict[str, Any] = (
            {"cursor": state["cursor"]}
            if state.get("cursor")
            else {"start_time": int(state.get("start_time") or 0)}
        )
        body = self.api.get("/incremental/tickets/cursor.json", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("tickets"), list):
            raise ProviderError("zendesk: the incremental export answered without tickets")
        after = body.get("after_cursor") or state.get("cursor")
        next_state = {"start_time": state.get("start_time"), "cursor": after}
        items = [ticket if isinstance(ticket, dict) else {"unexpected": ticket} for ticket in body["tickets"]]
        return Page(items=items, next_cursor=encode_cursor(next_state), done=bool(body.get("end_of_stream")))

    def agent_url(self, ticket_id: object) -> str | None:
        """Return the agent-facing URL of a ticket."""
        base = self.settings.base_url.rstrip("/").removesuffix("/api/v2")
        return f"{base}/agent/tickets/{ticket_id}" if base.startswith("http") else None

    def normalize(self, raw: RawItem) -> MentionIn | None:
        ticket_id = raw.get("id")
        if not isinstance(ticket_id, int):
            raise MalformedItem(f"ticket id must be an integer, got {ticket_id!r}")
        if raw.get("status") == "deleted":
            return None
        created = raw.get("created_at")
        try:
            created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError as exc:
            raise MalformedItem(f"created_at is not a time: {created!r}") from exc
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        description = raw.get("description") or raw.get("subject")
        if not isinstance(description, str) or not description.strip():
            raise MalformedItem("ticket without description or subject")
        requester = raw.get("requester_id")
        return MentionIn(
            source=NAME,
            channel="zendesk",
            external_id=str(ticket_id),
            url=self.agent_url(ticket_id),
            author_handle=str(requester) if requester is not None else None,
            title=raw.get("subject") or raw.get("raw_subject"),
            text=description,
            created_at=created_at,
            raw=raw,
        )

    def ticket_tags(self, raw: RawItem) -> Sequence[str]:
        if not self.settings.import_tags:
            return []
        tags = raw.get("tags")
        return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []
