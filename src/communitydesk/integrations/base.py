"""The small interfaces every external system is used through, and the errors they raise.

Intake flows depend on these Protocols only; each folder next to this file implements them for one
provider with a plain `httpx.Client` whose base URL comes from settings, so tests point it at a local fake.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from communitydesk.mentions.schemas import MentionIn

RawItem = dict[str, Any]


class IntegrationError(RuntimeError):
    """A provider could not be used; the message says what to check."""


class CredentialsError(IntegrationError):
    """Credentials are missing, or the provider refused them."""


class RateLimitedError(IntegrationError):
    """The provider asked us to wait longer than we are allowed to, or kept refusing."""


class ProviderError(IntegrationError):
    """The provider answered with an error status or something that is not the JSON it documents."""


class BudgetExhaustedError(IntegrationError):
    """A paid API's read budget for the period is used up."""


class MalformedItem(ValueError):
    """A raw item that cannot become a mention; the message is the reason kept with the reject."""


@dataclass
class Page:
    """One page of raw items from a source, and the cursor that continues after it."""

    items: list[RawItem]
    next_cursor: str | None
    done: bool
    # Items the source dropped before normalizing (dead, deleted, spam, not watched), for the report.
    skipped: int = 0
    # Reads this page cost against a metered source's budget (X charges per post read).
    cost: int = 0


@runtime_checkable
class Source(Protocol):
    """A place mentions come from, read page by page from a stored cursor."""

    name: str

    def scopes(self) -> Sequence[str]:
        """Return the independent feeds of this source (a query, a subreddit, a forum); each has a cursor."""
        ...

    def initial_cursor(self, scope: str, since: datetime | None) -> str | None:
        """Return the cursor of a first poll, or of a backfill from `since`."""
        ...

    def fetch(self, scope: str, cursor: str | None) -> Page:
        """Fetch the page of raw items that follows `cursor`."""
        ...

    def normalize(self, raw: RawItem) -> MentionIn | None:
        """Turn one raw item into a mention; None skips it; MalformedItem or ValidationError rejects it."""
        ...


@runtime_checkable
class TagsTickets(Protocol):
    """A source whose items carry tags to put on the desk ticket (Zendesk)."""

    def ticket_tags(self, raw: RawItem) -> Sequence[str]:
        """Return the tags of the ticket made from this raw item."""
        ...


@runtime_checkable
class Metered(Protocol):
    """A paid source with a read budget per period; the flow stores what was used."""

    budget_limit: int

    def budget_period(self) -> str:
        """Return the current budget period, e.g. '2026-11'."""
        ...

    def set_budget_remaining(self, remaining: int) -> None:
        """Tell the source how many reads are left in this period before it fetches."""
        ...


def encode_cursor(state: dict[str, Any]) -> str:
    """Return a cursor as compact, stable JSON text."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


def decode_cursor(value: str | None) -> dict[str, Any]:
    """Return the state in a stored cursor; an empty or unreadable cursor is an empty state."""
    if not value:
        return {}
    try:
        state = json.loads(value)
    except json.JSONDecodeError:
        return {}
    return state if isinstance(state, dict) else {}
