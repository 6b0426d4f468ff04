"""Changes to a ticket from its page: macro, status, tags, notes, assignee.

Each handler parses its form, calls one service function, commits and redirects back to the ticket.
A change the desk refuses (TicketError, MacroError) comes back as a message on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from communitydesk.api.deps import DbSession, DeskDep, actor_for
from communitydesk.macros.service import MacroError, apply_macro
from communitydesk.tickets import service as tickets
from communitydesk.users import service as users
from communitydesk.web import present
from communitydesk.web.auth import Editor
from communitydesk.web.errors import PageRoute
from communitydesk.web.flash import flash
from communitydesk.web.pages.ticket import CurrentTicket
from communitydesk.web.params import parse_id

router = APIRouter(route_class=PageRoute)
VARIABLE_PREFIX = "var_"
TextField = Annotated[str, Form(max_length=10_000)]


@contextmanager
def outcome(request: Request, db: Session, success: str) -> Iterator[None]:
    """Flash `success` when the block commits, or the reason the desk refused the change."""
    try:
        yield
    except (tickets.TicketError, MacroError) as exc:
        db.rollback()
        flash(request, str(exc), "error")
    else:
        flash(request, success, "success")


def back_to_ticket(request: Request) -> RedirectResponse:
    """Redirect to the page of the ticket in the path (the session may have been rolled back)."""
    ticket_id = int(request.path_params["ticket_id"])
    return RedirectResponse(f"/tickets/{ticket_id}", status_code=status.HTTP_303_SEE_OTHER)


@dataclass(frozen=True)
class MacroForm:
    name: str
    variables: dict[str, str]


async def read_macro_form(request: Request) -> MacroForm:
    """Read the chosen macro and its `var_*` inputs."""
    form = await request.form()
    name = form.get("macro")
    variables = {
        key.removeprefix(VARIABLE_PREFIX): value
        for key, value in form.multi_items()
        if key.startswith(VARIABLE_PREFIX) and isinstance(value, str)
    }
    return MacroForm(name=name if isinstance(name, str) else "", variables=variables)


@router.post("/tickets/{ticket_id}/macro")
def apply_macro_from_form(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    form: Annotated[MacroForm, Depends(read_macro_form)],
) -> RedirectResponse:
    """Apply a macro with the variables it asks for."""
    with outcome(request, db, f"Applied macro “{form.name}”."):
        macro = desk.macros.get(form.name)
        if macro is None:
            raise MacroError(f"there is no macro named {form.name!r}")
        variables = present.macro_variables(macro, form.variables)
        apply_macro(db, ticket, macro, actor=actor_for(user), variables=variables)
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/status")
def change_status(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    new_status: Annotated[str, Form(alias="status")],
) -> RedirectResponse:
    """Set the ticket's status."""
    with outcome(request, db, f"Status set to {new_status}."):
        tickets.set_status(db, ticket, new_status, actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/tags")
def add_tags(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    tag: Annotated[str, Form(max_length=500)],
) -> RedirectResponse:
    """Add one or more comma-separated tags."""
    names = [name for name in tag.split(",") if name.strip()]
    with outcome(request, db, f"Tagged {', '.join(n.strip() for n in names)}."):
        if not names:
            raise tickets.TicketError("type a tag to add")
        tickets.add_tags(db, ticket, names, actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/tags/remove")
def remove_tag(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    tag: Annotated[str, Form(max_length=100)],
) -> RedirectResponse:
    """Remove one tag."""
    with outcome(request, db, f"Removed tag {tag}."):
        tickets.remove_tags(db, ticket, [tag], actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/notes")
def add_note(
    request: Request, user: Editor, ticket: CurrentTicket, db: DbSession, body: TextField = ""
) -> RedirectResponse:
    """Add an internal note."""
    with outcome(request, db, "Note added."):
        tickets.add_note(db, ticket, body, actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/assignee")
def assign(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    assignee: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Assign the ticket to an active user, or unassign it."""
    person_id = parse_id(assignee)
    person = users.get(db, person_id) if person_id else None
    with outcome(request, db, f"Assigned to {person.name}." if person else "Unassigned."):
        if assignee and (person is None or not person.is_active):
            raise tickets.TicketError(f"there is no active user {assignee!r} to assign")
        tickets.set_assignee(db, ticket, person.id if person else None, actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)
