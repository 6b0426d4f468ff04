"""Reads and writes of mentions and intake rejects."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.mentions.sanitize import html_to_text, names_company
from communitydesk.mentions.schemas import MentionIn


def get_by_external_id(session: Session, *, source: str, external_id: str) -> Mention | None:
    return session.scalar(select(Mention).where(Mention.source == source, Mention.external_id == external_id))


def build(mention_in: MentionIn, *, company_names: list[str]) -> Mention:
    """Return an unsaved Mention with sanitized text and the names-the-company flag set."""
    text = html_to_text(mention_in.text) or "(no text)"
    named = mention_in.names_company
    if named is None:
        # A reply carries its story's title; whether it names the company depends on its own words only
        # (the seed's HN/Reddit rule is about what the answer itself says).
        own_words = text if mention_in.parent_id else f"{mention_in.title or ''}\n{text}"
        named = names_company(own_words, company_names)
    return Mention(
        source=mention_in.source,
        channel=mention_in.channel,
        external_id=mention_in.external_id,
        url=mention_in.url,
        author_handle=mention_in.author_handle,
        author_name=mention_in.author_name,
        title=html_to_text(mention_in.title) if mention_in.title else None,
        text=text,
        raw=mention_in.raw
        if mention_in.raw is not None
        else mention_in.model_dump(mode="json", exclude={"raw"}),
        created_at=mention_in.created_at,
        fetched_at=utcnow(),
        parent_external_id=mention_in.parent_id,
        root_external_id=mention_in.root_id,
        names_company=named,
    )


def add_reject(session: Session, *, source: str, location: str, reason: str, payload: str) -> IntakeReject:
    """Keep a row intake could not accept."""
    reject = IntakeReject(
        source=source, location=location[:500], reason=reason, payload=payload, created_at=utcnow()
    )
    session.add(reject)
    return reject


def get_page(
    session: Session, *, source: str | None = None, before_id: int | None = None, limit: int = 50
) -> Sequence[Mention]:
    query = select(Mention)
    if source:
        query = query.where(Mention.source == source)
    if before_id is not None:
        query = query.where(Mention.id < before_id)
    return session.scalars(query.order_by(Mention.id.desc()).limit(limit)).all()


def get_rejects(session: Session, *, limit: int = 100) -> Sequence[IntakeReject]:
    return session.scalars(select(IntakeReject).order_by(IntakeReject.id.desc()).limit(limit)).all()


def get_reject_page(
    session: Session, *, source: str | None = None, before_id: int | None = None, limit: int = 50
) -> Sequence[IntakeReject]:
    """Return intake rejects newest first, starting below a cursor id (keyset pagination)."""
    query = select(IntakeReject)
    if source:
        query = query.where(IntakeReject.source == source)
    if before_id is not None:
        query = query.where(IntakeReject.id < before_id)
    return session.scalars(query.order_by(IntakeReject.id.desc()).limit(limit)).all()
