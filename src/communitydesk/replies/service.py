"""Public replies from the company account: the interim (holding) reply, an expert's draft posted.

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
    """Record the holding reply the company account gave (the configured text when none is given)."""
    body = (text or "").strip() or interim_text(settings, ticket)
    return record_public_reply(session, ticket, kind="interim", body=body, url=url, actor=actor)


def record_public_reply(
    session: Session, ticket: Ticket, *, kind: str, body: str, url: str | None, actor: Actor
) -> PublicReply:
    """Record a reply the company account posted; a new ticket becomes open (it has been answered).

    kind: `interim` (a holding reply while an expert is asked) or `expert_draft` (an expert's draft the
    advocate posted).
    """
    text = body.strip()
    if not text:
        raise tickets.TicketError("the reply is empty")
    if "\x00" in text or (url and "\x00" in url):
        raise tickets.TicketError("the reply contains a NUL character")
    if ticket.status == "closed":
        raise tickets.TicketError(f"ticket #{ticket.id} is closed")
    reply = PublicReply(
        ticket_id=ticket.id,
        kind=kind,
        body=text,
        url=url,
        author_id=actor.user_id,
        author_label=actor.label,
        created_at=utcnow(),
    )
    session.add(reply)
    session.flush()
    tickets.record(session, ticket, actor=actor, action="public_reply", field=kind, new=text[:500])
    if ticket.status == "new":
        tickets.set_status(session, ticket, "open", actor=actor)
    return reply


def record_posted_draft(
    session: Session, ticket: Ticket, *, draft_text: str, expert: str, url: str | None, actor: Actor
) -> PublicReply:
    """Record that the advocate posted an expert's draft from the company account (once per draft)."""
    already = session.scalar(
        select(PublicReply.id).where(
            PublicReply.ticket_id == ticket.id,
            PublicReply.kind == "expert_draft",
            PublicReply.body == draft_text.strip(),
        )
    )
    if already is not None:
        raise tickets.TicketError(f"this draft from {expert} is already recorded as posted")
    return record_public_reply(session, ticket, kind="expert_draft", body=draft_text, url=url, actor=actor)


def of_ticket(session: Session, ticket_id: int) -> Sequence[PublicReply]:
    return session.scalars(
        select(PublicReply).where(PublicReply.ticket_id == ticket_id).order_by(PublicReply.created_at)
    ).all()
