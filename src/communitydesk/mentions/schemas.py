"""The normalized mention every source connector produces: the intake seam."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from communitydesk.tickets.schemas import Channel


class MentionIn(BaseModel):
    """A mention as a connector, a file or the API hands it to intake."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$", description="e.g. hackernews")
    channel: Channel
    external_id: str = Field(min_length=1, max_length=200, description="Unique per source.")
    url: str | None = Field(None, max_length=2000)
    author_handle: str | None = Field(None, max_length=200)
    author_name: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=500, description="Story, post or topic title.")
    text: str = Field(
        min_length=1, max_length=100_000, description="HTML or plain text; sanitized on intake."
    )
    created_at: AwareDatetime
    parent_id: str | None = Field(None, max_length=200, description="External id of the message replied to.")
    root_id: str | None = Field(
        None,
        max_length=200,
        description="External id of the thread: story, submission, topic or conversation.",
    )
    names_company: bool | None = Field(None, description="Computed from the text when omitted.")
    raw: dict[str, Any] | None = Field(None, description="The source's payload, kept as it came.")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_characters(cls, value: Any, info: Any) -> Any:
        # PostgreSQL refuses NUL in text; a NUL in an identifier is a broken row, in prose it is noise.
        if isinstance(value, str) and "\x00" in value:
            if info.field_name in ("text", "title"):
                return value.replace("\x00", "")
            raise ValueError("contains a NUL character")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.lower().startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return value or None

    @field_validator("parent_id", "root_id", "external_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class MentionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    channel: str
    external_id: str
    url: str | None
    author_handle: str | None
    author_name: str | None
    title: str | None
    text: str
    created_at: datetime
    parent_external_id: str | None
    root_external_id: str | None
    names_company: bool
    ticket_id: int | None


class IntakeReport(BaseModel):
    """What one intake run did."""

    received: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    errors: list[str] = Field(default_factory=list)
