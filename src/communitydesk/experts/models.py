"""Tables of the people directory, its special routes and the expert answers seen in public."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communitydesk.db.base import Base, JSONType, UTCDateTime, utcnow


class Person(Base):
    """Someone the desk can ask: a product expert, an evangelist, a PM, a blog author."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(40))
    team_member: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"stages": [...], "groups": [...], "categories": [...]} in the directory's keys.
    expertise: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    handles: Mapped[list[PersonHandle]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonHandle.platform"
    )


class PersonHandle(Base):
    """A person's public account on one platform; a mention by it is theirs."""

    __tablename__ = "person_handles"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    # Lower-cased, without a leading @ or u/: how intake's author handles are compared.
    handle: Mapped[str] = mapped_column(String(200))
    display: Mapped[str] = mapped_column(String(200))

    person: Mapped[Person] = relationship(back_populates="handles")


class ExpertRoute(Base):
    """A special route of the seed (evangelists, technical marketing, ...) or the fallback channel."""

    __tablename__ = "expert_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str | None] = mapped_column(String(100))
    slack_mention: Mapped[str | None] = mapped_column(String(100))
    # Person keys, the phrases that select the route, and per-kind details (e.g. stage -> people).
    people: Mapped[list[str]] = mapped_column(JSONType, default=list)
    terms: Mapped[list[str]] = mapped_column(JSONType, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class TrackedOutreach(Base):
    """An expert's public post with no open outreach ticket in its thread, kept for the counts."""

    __tablename__ = "tracked_outreach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(2000))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    expert_name: Mapped[str] = mapped_column(String(200))
    mention_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentions.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
