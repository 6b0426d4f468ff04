"""Builders of test data that go through the intake seam, as real mentions do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from communitydesk.mentions.intake import ingest_rows
from communitydesk.mentions.schemas import IntakeReport
from communitydesk.runtime import Desk

BASE_TIME = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SOURCE_OF_CHANNEL = {
    "twitter": "x",
    "blog_comment": "disqus",
    "docs_comment": "disqus",
    "hackernews": "hackernews",
    "reddit": "reddit",
    "forum": "discourse",
    "zendesk": "zendesk",
    "other": "webhook",
}


def mention(
    channel: str, external_id: str, text: str = "How do I cache GitLab CI dependencies?", **extra: Any
) -> dict[str, Any]:
    """Return a mention row for a channel; later external ids get later times."""
    offset = sum(ord(ch) for ch in external_id) % 600
    row: dict[str, Any] = {
        "source": SOURCE_OF_CHANNEL[channel],
        "channel": channel,
        "external_id": external_id,
        "url": f"https://example.com/{channel}/{external_id}",
        "author_handle": "someone",
        "text": text,
        "created_at": (BASE_TIME + timedelta(minutes=offset)).isoformat(),
    }
    row.update(extra)
    return row


def ingest(desk: Desk, *rows: dict[str, Any]) -> IntakeReport:
    return ingest_rows(
        desk.sessions,
        [(f"test:{n}", row) for n, row in enumerate(rows, start=1)],
        source="test",
        company_names=desk.settings.company_names,
    )
