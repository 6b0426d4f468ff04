"""Closing the loop: a known expert posts in public, and the desk sees it as the answer it waited for.

Intake hands every newly stored mention here (`close_loops`). A mention whose author is a person's handle
on that platform is an expert's post:
- in the thread of an open outreach ticket (tagged `reached-out-to-expert`, not solved or closed), the
  seed's per-channel expert-response rules are applied to it (`outreach.responses`): tickets solved with
  the right macros, linked, the expert named in a note; the answer also becomes routing history;
- otherwise (nobody reached out: e.g. an expert joined an HN thread by themselves) it is recorded as
  tracked outreach for the community-relations channel, so it is still counted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.config import Settings
from communitydesk.experts import service
from communitydesk.experts.importer import normalize_handle
from communitydesk.experts.models import Person
from communitydesk.experts.schemas import CHANNEL_PLATFORM
from communitydesk.macros.loader import load_macros
from communitydesk.macros.schemas import Macro
from communitydesk.mentions.models import Mention
from communitydesk.outreach.responses import ExpertAnswer, apply_expert_response
from communitydesk.routing import service as routing
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

logger = logging.getLogger(__name__)
OUTREACH_TAG = "reached-out-to-expert"
CLOSED_STATUSES = frozenset({"solved", "closed"})
EXPERT_WATCH = Actor("expert answer watch")
MAX_ANCESTORS = 50  # how far up a reply chain an answer may be from the outreach ticket's mention


@dataclass(frozen=True)
class ExpertWatch:
    """What closing the loop needs from the running desk."""

    settings: Settings
    macros: Mapping[str, Macro]

    @classmethod
    def of(cls, settings: Settings, macros: Mapping[str, Macro] | None = None) -> ExpertWatch:
        return cls(settings, macros if macros is not None else _builtin_macros())


@lru_cache(maxsize=1)
def _builtin_macros() -> Mapping[str, Macro]:
    return load_macros(None)


@dataclass(frozen=True)
class LoopOutcome:
    mention_id: int
    expert: str
    kind: Literal["answered", "tracked"]
    ticket_id: int | None


def close_loops(session: Session, mentions: Sequence[Mention], watch: ExpertWatch) -> list[LoopOutcome]:
    """Apply the expert-response rules for the mentions that are known experts' posts (see module doc)."""
    if not watch.settings.experts.close_loop:
        return []
    pairs = [
        (CHANNEL_PLATFORM[m.channel], m.author_handle)
        for m in mentions
        if m.author_handle and m.channel in CHANNEL_PLATFORM
    ]
    if not pairs:
        return []
    owners = service.handle_owners(session, pairs)
    if not owners:
        return []
    outcomes = []
    session.flush()
    for new in mentions:
        platform = CHANNEL_PLATFORM.get(new.channel)
        person = owners.get((platform, normalize_handle(new.author_handle or ""))) if platform else None
        if person is None or platform is None:
            continue
        # Batch intake inserts rows in bulk: read the stored mention back for its id and ticket.
        mention = _stored_mention(session, new.source, new.external_id)
        if mention is None:
            continue
        try:
            with session.begin_nested():
                outcomes.append(_close_loop(session, mention, person, platform, watch))
        except Exception:
            # The mention is stored either way: a failure here must never lose intake's batch.
            logger.exception("closing the loop failed for mention %s (%s)", mention.id, person.key)
    return outcomes


def _stored_mention(session: Session, source: str, external_id: str) -> Mention | None:
    """Return the stored mention of a source's external id."""
    return session.scalar(select(Mention).where(Mention.source == source, Mention.external_id == external_id))


def _close_loop(
    session: Session, mention: Mention, person: Person, platform: str, watch: ExpertWatch
) -> LoopOutcome:
    original = outreach_ticket_in_thread(session, mention)
    own = session.get(Ticket, mention.ticket_id) if mention.ticket_id else None
    if original is None:
        channel = watch.settings.experts.community_relations_channel
        service.record_tracked_outreach(
            session,
            platform=platform,
            channel=channel,
            url=mention.url,
            person=person,
            mention_id=mention.id,
            created_at=mention.created_at,
        )
        if own is not None:
            tickets.add_note(
                session,
                own,
                f"Posted by expert {person.name}; no outreach ticket waited for it: tracked for {channel}.",
                actor=EXPERT_WATCH,
            )
        return LoopOutcome(mention.id, person.name, "tracked", own.id if own else None)
    apply_expert_response(
        session,
        original,
        ExpertAnswer(
            expert_name=person.name,
            url=mention.url,
            names_company=mention.names_company,
            response_ticket=own if own is not None and own.id != original.id else None,
        ),
        macros=watch.macros,
        actor=EXPERT_WATCH,
    )
    _learn(session, original, person, watch.settings)
    return LoopOutcome(mention.id, person.name, "answered", original.id)


def _learn(session: Session, ticket: Ticket, person: Person, settings: Settings) -> None:
    """Keep the accepted answer as routing history (routed with docs ownership when an index exists)."""
    with routing.open_router(session, settings) as router:
        if router.stages:
            routing.record_accepted_answer(session, router, ticket, person)


def _is_waiting(ticket: Ticket | None) -> bool:
    return ticket is not None and ticket.status not in CLOSED_STATUSES and OUTREACH_TAG in ticket.tags


def outreach_ticket_in_thread(session: Session, mention: Mention) -> Ticket | None:
    """Return the open outreach ticket this mention answers: the nearest one up its reply chain, else the
    thread's earliest; never a ticket the mention itself started."""
    own_first = _first_mention_id(session, mention.ticket_id) if mention.ticket_id else None
    started_own = own_first == mention.id
    if mention.ticket_id and not started_own:  # joined a conversation's ticket (X, forum, Zendesk)
        joined = session.get(Ticket, mention.ticket_id)
        if _is_waiting(joined):
            return joined
    parent = mention.parent_external_id
    seen: set[str] = set()
    for _ in range(MAX_ANCESTORS):
        if not parent or parent in seen:
            break
        seen.add(parent)
        ancestor = _stored_mention(session, mention.source, parent)
        if ancestor is None:
            break
        if ancestor.ticket_id and ancestor.ticket_id != (mention.ticket_id if started_own else None):
            ticket = session.get(Ticket, ancestor.ticket_id)
            if _is_waiting(ticket):
                return ticket
        parent = ancestor.parent_external_id
    if not mention.root_external_id:
        return None
    candidates = session.scalars(
        select(Mention.ticket_id)
        .where(
            Mention.source == mention.source,
            Mention.id != mention.id,
            (Mention.root_external_id == mention.root_external_id)
            | (Mention.external_id == mention.root_external_id),
            Mention.ticket_id.is_not(None),
        )
        .order_by(Mention.created_at, Mention.id)
    ).all()
    for ticket_id in dict.fromkeys(candidates):
        if ticket_id == mention.ticket_id and started_own:
            continue
        ticket = session.get(Ticket, ticket_id)
        if _is_waiting(ticket):
            return ticket
    return None


def _first_mention_id(session: Session, ticket_id: int) -> int | None:
    return session.scalar(
        select(Mention.id)
        .where(Mention.ticket_id == ticket_id)
        .order_by(Mention.created_at, Mention.id)
        .limit(1)
    )
