"""What the ticket page shows about expert outreach and public replies, with the forms' defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from communitydesk.outreach import service as outreach
from communitydesk.replies import service as replies
from communitydesk.runtime import Desk
from communitydesk.tickets.models import Ticket


def outreach_context(session: Session, desk: Desk, ticket: Ticket) -> dict[str, Any]:
    """What the ticket page shows about outreach and public replies, and the forms' defaults."""
    suggested = outreach.suggest_target(session, ticket)
    return {
        "outreach": outreach.views_of_ticket(session, ticket.id),
        "public_replies": replies.of_ticket(session, ticket.id),
        # Cheap here (no docs search); the "Who to ask" card offers routing's own choice with one click.
        "suggested_channel": suggested.channel if suggested else "the routed channel",
        "interim_text": _interim_default(desk, ticket),
        "draft_marker": desk.settings.outreach.draft_marker,
    }


def _interim_default(desk: Desk, ticket: Ticket) -> str:
    try:
        return replies.interim_text(desk.settings, ticket)
    except ValueError:
        return ""
