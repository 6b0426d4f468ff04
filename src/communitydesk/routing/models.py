"""Routing history: who answered what, so similar texts are routed to them next time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from communitydesk.db.base import Base, UTCDateTime, utcnow


class AcceptedAnswer(Base):
    """An expert's public answer that solved a ticket (the `Expert Responded` rule applied)."""

    __tablename__ = "routing_history"
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # Directory keys at the time of the answer: the ticket's own fields, else the routing of its text.
    stage_key: Mapped[str | None] = mapped_column(String(100))
    group_key: Mapped[str | None] = mapped_column(String(100))
    category_key: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
