"""API shapes of public replies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class InterimReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(
        None,
        max_length=10_000,
        pattern=r"^[^\x00]*$",
        description="What the company account said; default: the DESK_OUTREACH__INTERIM_REPLY text.",
    )
    url: str | None = Field(
        None, max_length=2000, pattern=r"^https?://\S+$", description="Where the reply was posted, if known."
    )


class PostedDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        None, max_length=2000, pattern=r"^https?://\S+$", description="Where the reply was posted, if known."
    )


class PublicReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    kind: str
    body: str
    url: str | None
    author_label: str
    created_at: datetime
