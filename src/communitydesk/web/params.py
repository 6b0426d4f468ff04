"""Ids as they arrive in URLs and forms: digits within the range of an INTEGER column."""

from __future__ import annotations

# PostgreSQL refuses a larger value for an INTEGER column and SQLite overflows on much larger ones;
# an id outside this range names nothing.
MAX_ID = 2**31 - 1


def parse_id(value: str | int | None) -> int | None:
    """Return the id in a query or form value, or None when it is not a valid id."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    return parse_id(int(text))
