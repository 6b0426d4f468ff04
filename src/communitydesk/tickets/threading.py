"""Per-channel threading: does a new mention join a ticket, start one, or start one related to another?

The rules follow how the seed's Zendesk channels thread:
- X/Twitter (and conversation-shaped channels: the forum topic, a Zendesk ticket): a reply joins the ticket
  of its conversation.
- Blog and docs comments: every comment, replies included, arrives as a new ticket.
- Hacker News and Reddit: every comment arrives as a new ticket, related to the thread's ticket when there
  is one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.mentions.models import Mention
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

JOINS_CONVERSATION = frozenset({"twitter", "forum", "zendesk"})
RELATES_TO_THREAD = frozenset({"hackernews", "reddit"})
THREAD_LINK = "in_thread_of"


def thread_ticket(session: Session, mention: Mention) -> Ticket | None:
    """Return the ticket of the message this mention replies to, else of its thread's root, if any."""
    keys = [key for key in (mention.parent_external_id, mention.root_external_id) if key]
    for key in keys:
        ticket_id = session.scalar(
            select(Mention.ticket_id).where(
                Mention.source == mention.source,
                Mention.external_id == key,
                Mention.ticket_id.is_not(None),
            )
        )
        if ticket_id is None and mention.root_external_id:
            # The root itself may be untracked while other replies in the same thread have a ticket.
            ticket_id = session.scalar(
                select(Mention.ticket_id)
                .where(
                    Mention.source == mention.source,
                    Mention.root_external_id == mention.root_external_id,
                    Mention.ticket_id.is_not(None),
                    Mention.id != mention.id,
                )
                .order_by(Mention.created_at)
                .limit(1)
            )
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    return None


def _subject(mention: Mention) -> str:
    if mention.title and not mention.parent_external_id:
        return mention.title
    first_line = mention.text.strip().splitlines()[0] if mention.text.strip() else ""
    subject = first_line if len(first_line) <= 90 else first_line[:87].rstrip() + "..."
    if mention.title:
        subject = f"{subject} (re: {mention.title})"
    return subject or "(empty mention)"


def place_mention(session: Session, mention: Mention, *, actor: Actor) -> Ticket:
    """Attach a newly stored mention to a ticket according to its channel's threading rule."""
    related = (
        thread_ticket(session, mention) if mention.parent_external_id or mention.root_external_id else None
    )
    if mention.channel in JOINS_CONVERSATION and related is not None and related.status != "closed":
        mention.ticket_id = related.id
        tickets.record(
            session, related, actor=actor, action="mention_added", new=mention.url or mention.external_id
        )
        if related.status in ("pending", "solved"):
            tickets.set_status(session, related, "open", actor=actor)
        return related
    ticket = tickets.create(
        session,
        subject=_subject(mention),
        channel=mention.channel,
        actor=actor,
        requester_handle=mention.author_handle,
        requester_name=mention.author_name,
    )
    ticket.created_at = mention.created_at if mention.created_at < ticket.created_at else ticket.created_at
    mention.ticket_id = ticket.id
    if related is not None and (
        mention.channel in RELATES_TO_THREAD or mention.channel in JOINS_CONVERSATION
    ):
        # A closed conversation gets a follow-up ticket; HN/Reddit replies get a related one.
        kind = THREAD_LINK if mention.channel in RELATES_TO_THREAD else "follow_up_of"
        tickets.link(session, ticket, kind=kind, target=related, actor=actor)
    return ticket
