"""One-time messages shown on the next page, kept in the session across a redirect."""

from __future__ import annotations

from typing import Literal

from fastapi import Request

SESSION_KEY = "flash"
Kind = Literal["success", "error", "info"]


def flash(request: Request, text: str, kind: Kind = "info") -> None:
    """Queue a message for the next rendered page."""
    messages = request.session.get(SESSION_KEY)
    queued = messages if isinstance(messages, list) else []
    request.session[SESSION_KEY] = [*queued[-4:], {"kind": kind, "text": text}]


def pop_flashes(request: Request) -> list[dict[str, str]]:
    """Return and forget the queued messages."""
    messages = request.session.pop(SESSION_KEY, None)
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
