"""Keyset pagination with opaque cursors: newest first, the cursor names the last id seen."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, HTTPException, Query, status

MAX_LIMIT = 200
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold a NUL byte, not even in a comparison
MAX_ID = 2**31 - 1  # ids are INTEGER columns; PostgreSQL refuses a larger value in a comparison


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=_HasId)


def encode_cursor(last_id: int) -> str:
    """Return the cursor of the page that follows the row with this id."""
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Return the id a cursor names, or answer 422."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, digits = text.partition(":")
    valid = prefix == "id" and digits.isdigit() and 1 <= int(digits) <= MAX_ID
    if not valid or encode_cursor(int(digits)) != cursor:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"invalid cursor {cursor[:100]!r}: pass the next_cursor of the previous page unchanged",
        )
    return int(digits)


@dataclass(frozen=True)
class PageRequest:
    limit: int
    before_id: int | None

    @property
    def fetch(self) -> int:
        """Rows to ask the database for: one more than a page tells whether another page follows."""
        return self.limit + 1

    def split(self, rows: Sequence[RowT]) -> tuple[list[RowT], str | None]:
        """Return the rows of this page and the cursor of the next one, if there is a next one."""
        items = list(rows[: self.limit])
        more = len(rows) > self.limit
        return items, encode_cursor(items[-1].id) if more and items else None


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    cursor: Annotated[str | None, Query(description="The next_cursor of the previous page.")] = None,
) -> PageRequest:
    return PageRequest(limit=limit, before_id=decode_cursor(cursor) if cursor else None)


PageParams = Annotated[PageRequest, Depends(page_request)]
