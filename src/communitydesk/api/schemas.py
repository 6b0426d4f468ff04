"""Response shapes of the REST API that combine several features."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from communitydesk.mentions.schemas import MentionOut
from communitydesk.tickets.schemas import AuditOut, LinkOut, NoteOut, TicketOut

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class TicketLinkOut(LinkOut):
    """A link from or to the ticket: `ticket_id` tells which end the ticket is."""

    ticket_id: int


class TicketDetail(TicketOut):
    """A ticket with its mentions, internal notes, links and audit trail."""

    # Here rather than in tickets/schemas.py: mentions/schemas.py imports tickets/schemas.py.
    mentions: list[MentionOut]
    notes: list[NoteOut]
    links: list[TicketLinkOut]
    audit: list[AuditOut]


class RejectOut(BaseModel):
    """A row intake refused, with where it came from and why."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    location: str
    reason: str
    payload: str
    created_at: datetime


class TicketPage(Page[TicketOut]):
    """One page of tickets, newest first."""


class MentionPage(Page[MentionOut]):
    """One page of mentions, newest first."""


class RejectPage(Page[RejectOut]):
    """One page of intake rejects, newest first."""


class MacroOut(BaseModel):
    name: str
    description: str
    variables: list[str] = Field(
        description="Template variables the macro uses; `ticket`, `link` and `platform` come from the ticket."
    )


class TagCount(BaseModel):
    name: str
    count: int = Field(description="Tickets with this tag.")


class MeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    can_edit: bool
