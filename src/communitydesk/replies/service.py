"""Public replies from the company account: the interim (holding) reply while an expert is asked.

Each reply is a `public_replies` row with its time, plus an audit event `public_reply` on the ticket;
metrics take a ticket's first response time from its earliest row here.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.config import Settings
from communitydesk.db.base import utcnow
from communitydesk.replies.models import PublicReply
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

_env = SandboxedEnvironment(autoescape=False)


def interim_text(settings: Settings, ticket: Ticket) -> str:
    """Render the configured holding reply for a ticket."""
    context = {
        "ticket": {"id": ticket.id, "subject": ticket.subject, "channel": ticket.channel},
        "company": settings.company_names[0] if settings.company_names else "",
        "requester": ticket.requester_handle or "",
    }
    try:
        return _env.from_string(settings.outreach.interim_reply).render(context).strip()
    except TemplateError as exc:
        raise tickets.TicketError(f"DESK_OUTREACH__INTERIM_REPLY: template error: {exc}") from exc


def record_interim_reply(
    session: Session, settings: Settings, ticket: Ticket, *, text: str | None, url: str | None, actor: Actor
) -> PublicReply:
    """Record the holding reply the company account gave; a new ticket becomes open (it has an answer)."""
    body = (text or "").strip() or interim_text(settings, ticket)
    if not body:
        raise tickets.TicketError("the interim reply is empty")
    if "\x00" in body or (url and "\x00" in url):
        raise tickets.TicketError("the interim reply contains a NUL character")
    if ticket.status == "closed":
        raise tickets.TicketError(f"ticket #{ticket.id} is closed")
    reply = PublicReply(
        ticket_id=ticket.id,
        kind="interim",
        body=body,
        url=url,
        author_id=actor.user_id,
        author_label=actor.label,
        created_at=utcnow(),
    )
    session.add(reply)
    session.flush()
    tickets.record(session, ticket, actor=actor, action="public_reply", field="interim", new=body[:500])
    if ticket.status == "new":
        tickets.set_status(session, ticket, "open", actor=actor)
    return reply


def of_ticket(session: Session, ticket_id: int) -> Sequence[PublicReply]:
    return session.scalars(
        select(PublicReply).where(PublicReply.ticket_id == ticket_id).order_by(PublicReply.created_at)
    ).all()
