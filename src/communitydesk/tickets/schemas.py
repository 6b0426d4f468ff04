"""Values and API shapes of tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STATUSES = ("new", "open", "pending", "solved", "closed")
Status = Literal["new", "open", "pending", "solved", "closed"]
CHANNELS = ("twitter", "blog_comment", "docs_comment", "hackernews", "reddit", "forum", "zendesk", "other")
Channel = Literal[
    "twitter", "blog_comment", "docs_comment", "hackernews", "reddit", "forum", "zendesk", "other"
]
CUSTOM_FIELDS = ("stage", "group_name", "category", "intent")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a user, or a named part of the system (intake, a rule)."""

    label: str
    user_id: int | None = None


SYSTEM = Actor("system")


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: Status
    subject: str
    channel: Channel
    requester_handle: str | None
    requester_name: str | None
    assignee_id: int | None
    stage: str | None
    group_name: str | None
    category: str | None
    intent: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None


class TicketUpdate(BaseModel):
    """A partial change to a ticket; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    assignee_id: int | None = Field(None, description="User id; 0 unassigns.")
    stage: str | None = None
    group_name: str | None = None
    category: str | None = None
    intent: str | None = None
    add_tags: list[str] = Field(default_factory=list)
    remove_tags: list[str] = Field(default_factory=list)
    note: str | None = Field(None, description="An internal note to add.")


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author_label: str
    body: str
    created_at: datetime


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    target_ticket_id: int | None
    target_url: str | None


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor_label: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    macro: str | None
    created_at: datetime
