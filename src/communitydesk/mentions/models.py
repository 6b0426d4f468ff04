"""Tables for mentions and rejected intake rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from communitydesk.db.base import Base, JSONType, UTCDateTime, utcnow


class Mention(Base):
    """One public message about the product, as it was found at its source."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_mentions_thread", "source", "root_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    author_handle: Mapped[str | None] = mapped_column(String(200), index=True)
    author_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    parent_external_id: Mapped[str | None] = mapped_column(String(200))
    root_external_id: Mapped[str | None] = mapped_column(String(200))
    names_company: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)


class IntakeReject(Base):
    """A row that intake could not accept, kept with the reason for inspection."""

    __tablename__ = "intake_rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    location: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
