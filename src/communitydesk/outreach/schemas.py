"""Values and API shapes of expert outreach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

OutreachStatus = Literal["queued", "sending", "sent", "failed"]
NudgeKind = Literal["reminder", "escalation"]
REACHED_OUT_MACRO = "Reached out to expert"
# Message metadata event types: how the desk finds its own messages again after a lost answer.
OUTREACH_EVENT = "community_desk_outreach"
NUDGE_EVENT = "community_desk_nudge"


@dataclass(frozen=True)
class Target:
    """Where to ask: a Slack channel and, when known, the expert to mention."""

    channel: str
    expert: str | None = None
    reason: str = ""


class OutreachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str | None = Field(
        None,
        max_length=100,
        pattern=r"^#?[a-z0-9][a-z0-9_\-]*$|^[CG][A-Z0-9]{6,}$",
        description="Slack channel (#name or id); default: the group/stage channel, else the fallback.",
    )
    expert: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00]*$",
        description="The expert: a Slack user id (U123...) or a handle such as @name.",
    )


class ReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slack_ts: str
    slack_user: str | None
    author_name: str | None
    text: str
    is_draft: bool
    created_at: datetime


class NudgeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    status: str
    text: str
    ts: str | None
    last_error: str | None
    sent_at: datetime | None


class OutreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    channel: str
    channel_id: str | None
    expert: str | None
    text: str
    status: OutreachStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    ts: str | None
    permalink: str | None
    requested_by: str
    created_at: datetime
    sent_at: datetime | None
    replies: list[ReplyOut] = Field(default_factory=list)
    nudges: list[NudgeOut] = Field(default_factory=list)
