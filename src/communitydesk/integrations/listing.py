"""Read a newest-first feed backwards until the previous poll's high-water mark, resumably.

Several APIs (Discourse /posts.json, Reddit listings, X search) list newest first and page towards older
items. A poll walks from the top down to the mark it stored last time; the cursor keeps the mark, the
newest key seen in this walk and where the next page starts, so a killed walk resumes at its next page
and the mark only moves up once the gap is closed. Items arriving during a walk are above its top and
belong to the next poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from communitydesk.integrations.base import encode_cursor


@dataclass(frozen=True)
class Walk:
    """The state of a backwards walk: `mark` from the last poll, `top` of this walk, `next` page token."""

    mark: float | None
    top: float | None
    next: Any
    since: float | None = None

    @classmethod
    def load(cls, state: dict[str, Any]) -> Walk:
        return cls(
            mark=state.get("mark"), top=state.get("top"), next=state.get("next"), since=state.get("since")
        )

    def floor(self) -> float | None:
        """Return the key below which items belong to earlier polls (the mark, else the backfill start)."""
        return self.mark if self.mark is not None else self.since

    def advance(self, *, keys: list[float], next_token: Any, reached: bool) -> tuple[str, bool]:
        """Return (cursor, done) after a page with these item keys."""
        top = self.top if self.top is not None else (max(keys) if keys else None)
        if reached or next_token is None or not keys:
            mark = top if top is not None else self.mark
            return encode_cursor({"mark": mark, "top": None, "next": None, "since": None}), True
        state = {"mark": self.mark, "top": top, "next": next_token, "since": self.since}
        return encode_cursor(state), False
