"""Tables of expert outreach: requests posted to Slack, replies in their threads, reminders, events seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from communitydesk.db.base import Base, UTCDateTime, utcnow


class OutreachRequest(Base):
    """One request to an expert in Slack; also the durable queue entry until Slack has it.

    status: queued (waiting for the next attempt), sending (an attempt holds it; see claimed_at),
    sent (ts and permalink known) or failed (Slack refused the request itself, e.g. no such channel).
    """

    __tablename__ = "outreach_requests"
    __table_args__ = (
        Index("ix_outreach_requests_status_next", "status", "next_attempt_at"),
        Index("ix_outreach_requests_channel_ts", "channel_id", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str | None] = mapped_column(String(40))
    expert: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # No attempt before this moment posted unseen: a retry searches the channel's history from here on
    # (from created_at when unset), so the search stays short however long the request waited.
    history_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    ts: Mapped[str | None] = mapped_column(String(40))
    permalink: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutreachNudge(Base):
    """A follow-up the desk posts in an outreach thread: the reminder, then the escalation; once each."""

    __tablename__ = "outreach_nudges"
    __table_args__ = (UniqueConstraint("outreach_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outreach_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    ts: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutreachReply(Base):
    """A message someone posted in an outreach thread; a draft is text for the advocate to post."""

    __tablename__ = "outreach_replies"
    __table_args__ = (UniqueConstraint("outreach_id", "slack_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outreach_id: Mapped[int] = mapped_column(
        ForeignKey("outreach_requests.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    slack_ts: Mapped[str] = mapped_column(String(40))
    slack_user: Mapped[str | None] = mapped_column(String(40))
    author_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlackEvent(Base):
    """An Events API delivery already handled; Slack retries deliveries, the desk acts once per event_id."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
