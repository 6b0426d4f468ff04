"""Turn the desk's refusals into HTTP answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy.exc import DataError

from communitydesk.macros.service import MacroError
from communitydesk.tickets.service import TicketError

EDITORS_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "The token's user is a viewer, who cannot change anything."}
}
NO_TICKET: dict[int | str, dict[str, Any]] = {404: {"description": "No ticket with this id."}}


logger = logging.getLogger(__name__)


@contextmanager
def refusals_as_422() -> Iterator[None]:
    """Answer 422 with the desk's message when a change is refused; the caller's session rolls back."""
    try:
        yield
    except (TicketError, MacroError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    except DataError as exc:
        # A value the schemas let through but the database cannot hold (a NUL byte or an over-long
        # string on PostgreSQL): the client's data, so not a 500.
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
        logger.warning("database refused a value: %s", reason)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"the database cannot store a value: {reason}"
        ) from exc
