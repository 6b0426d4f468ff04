"""Tickets: list with filters, read one with its history, change it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from sqlalchemy.orm import Session

from communitydesk.api.deps import ApiEditor, DbSession, actor_for
from communitydesk.api.errors import EDITORS_ONLY, NO_TICKET, refusals_as_422
from communitydesk.api.pagination import MAX_ID, NO_NUL, PageParams
from communitydesk.api.schemas import TicketDetail, TicketLinkOut, TicketPage
from communitydesk.mentions.schemas import MentionOut
from communitydesk.tickets import flows
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import AuditOut, Channel, NoteOut, Status, TicketOut, TicketUpdate

router = APIRouter(prefix="/tickets", tags=["tickets"])


def get_current_ticket(ticket_id: Annotated[int, Path(description="Ticket id.")], db: DbSession) -> Ticket:
    """Load the ticket named in the path, or answer 404."""
    ticket = tickets.get(db, ticket_id) if 1 <= ticket_id <= MAX_ID else None
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"ticket #{ticket_id} does not exist")
    return ticket


CurrentTicket = Annotated[Ticket, Depends(get_current_ticket)]


def ticket_detail(session: Session, ticket: Ticket) -> TicketDetail:
    """Return a ticket with its mentions, notes, links and audit trail."""
    return TicketDetail(
        **TicketOut.model_validate(ticket).model_dump(),
        mentions=[MentionOut.model_validate(row) for row in tickets.mentions_of(session, ticket)],
        notes=[NoteOut.model_validate(row) for row in tickets.notes_of(session, ticket)],
        links=[TicketLinkOut.model_validate(row) for row in tickets.links_of(session, ticket)],
        audit=[AuditOut.model_validate(row) for row in tickets.audit_of(session, ticket)],
    )


@router.get("")
def list_tickets(
    db: DbSession,
    page: PageParams,
    status: Annotated[Status | None, Query(description="Only tickets with this status.")] = None,
    channel: Annotated[Channel | None, Query(description="Only tickets from this channel.")] = None,
    tag: Annotated[str | None, Query(description="Only tickets with this tag.")] = None,
    assignee_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only tickets assigned to this user.")
    ] = None,
    q: Annotated[
        str | None, Query(pattern=NO_NUL, description="Text in the subject or in a mention.")
    ] = None,
) -> TicketPage:
    """List tickets, newest first, one page at a time."""
    flt = tickets.TicketFilter(status=status, channel=channel, tag=tag, assignee_id=assignee_id, text=q)
    with refusals_as_422():
        rows = tickets.get_page(db, flt, before_id=page.before_id, limit=page.fetch)
    items, next_cursor = page.split(rows)
    return TicketPage(items=[TicketOut.model_validate(row) for row in items], next_cursor=next_cursor)


@router.get("/{ticket_id}", responses=NO_TICKET)
def read_ticket(db: DbSession, ticket: CurrentTicket) -> TicketDetail:
    """Read a ticket with its mentions, notes, links and audit trail."""
    return ticket_detail(db, ticket)


@router.patch("/{ticket_id}", responses={**EDITORS_ONLY, **NO_TICKET})
def update_ticket(
    user: ApiEditor, db: DbSession, ticket: CurrentTicket, change: TicketUpdate
) -> TicketDetail:
    """Change a ticket in one audited transaction; a refused change (422) changes nothing."""
    with refusals_as_422():
        flows.update_ticket(db, ticket, change, actor=actor_for(user))
        db.commit()
    db.refresh(ticket)  # answer with what is stored (tags in their stored order)
    return ticket_detail(db, ticket)
