"""One ticket: its mentions, notes, links, audit trail and, for editors, the forms that change it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from communitydesk.api.deps import DbSession, DeskDep
from communitydesk.macros.schemas import Macro
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import CUSTOM_FIELDS, STATUSES
from communitydesk.users import service as users
from communitydesk.web import present
from communitydesk.web.auth import CurrentUser
from communitydesk.web.errors import PageRoute
from communitydesk.web.pages.outreach_panel import outreach_context
from communitydesk.web.params import parse_id
from communitydesk.web.templating import render, render_fragment

router = APIRouter(route_class=PageRoute)


def get_ticket_or_404(ticket_id: int, db: DbSession) -> Ticket:
    ticket = tickets.get(db, ticket_id) if parse_id(ticket_id) else None
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"There is no ticket #{ticket_id}.")
    return ticket


CurrentTicket = Annotated[Ticket, Depends(get_ticket_or_404)]


def _chosen_macro(desk: Desk, name: str | None) -> Macro | None:
    if name and name in desk.macros:
        return desk.macros[name]
    return next(iter(desk.macros.values()), None)


def macro_fields_context(ticket: Ticket, macro: Macro | None) -> dict[str, object]:
    return {
        "ticket": ticket,
        "macro": macro,
        "inputs": present.macro_inputs(macro) if macro else [],
        "steps": present.describe_actions(macro) if macro else [],
    }


@router.get("/tickets/{ticket_id}")
def ticket_page(
    request: Request,
    user: CurrentUser,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    macro: str | None = None,
) -> Response:
    """Show a ticket with everything that happened to it."""
    links = tickets.links_of(db, ticket)
    linked = tickets.get_by_ids(
        db,
        {ticket_id for link in links for ticket_id in (link.ticket_id, link.target_ticket_id) if ticket_id},
    )
    people = users.get_all(db)
    user_names = {person.id: person.name for person in people}
    audit = tickets.audit_of(db, ticket)
    context = {
        "ticket": ticket,
        "mentions": tickets.mentions_of(db, ticket),
        "notes": tickets.notes_of(db, ticket),
        "links": links,
        "linked": linked,
        "audit": [(event, present.describe_event(event, user_names)) for event in audit],
        "custom_fields": [(field, getattr(ticket, field)) for field in CUSTOM_FIELDS],
        "assignee_name": user_names.get(ticket.assignee_id) if ticket.assignee_id else None,
        "can_edit": user.can_edit,
        "statuses": STATUSES,
        "people": [person for person in people if person.is_active],
        "macros": list(desk.macros),
        **macro_fields_context(ticket, _chosen_macro(desk, macro)),
        **outreach_context(db, desk, ticket),
    }
    return render(request, "ticket.html", context)


@router.get("/tickets/{ticket_id}/macro-fields")
def macro_fields(
    request: Request, _user: CurrentUser, ticket: CurrentTicket, desk: DeskDep, macro: str = ""
) -> Response:
    """Return the inputs and steps of one macro, for the apply-macro form."""
    return render_fragment(
        request, "_macro_fields.html", macro_fields_context(ticket, _chosen_macro(desk, macro))
    )
