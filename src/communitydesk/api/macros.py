"""Macros: list them, apply one to a ticket."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from communitydesk.api.deps import ApiEditor, DbSession, DeskDep, actor_for
from communitydesk.api.errors import EDITORS_ONLY, NO_TICKET, refusals_as_422
from communitydesk.api.schemas import MacroOut, TicketDetail
from communitydesk.api.tickets import CurrentTicket, ticket_detail
from communitydesk.macros import service as macros
from communitydesk.macros.schemas import ApplyMacroIn

router = APIRouter(tags=["macros"])


@router.get("/macros")
def list_macros(desk: DeskDep) -> list[MacroOut]:
    """List the macros this desk has, with the template variables each one uses."""
    return [
        MacroOut(
            name=macro.name,
            description=macro.description,
            variables=sorted(macros.template_variables(macro)),
        )
        for macro in desk.macros.values()
    ]


@router.post("/tickets/{ticket_id}/macros", responses={**EDITORS_ONLY, **NO_TICKET})
def apply_macro(
    user: ApiEditor, desk: DeskDep, db: DbSession, ticket: CurrentTicket, body: ApplyMacroIn
) -> TicketDetail:
    """Apply a macro to a ticket, all or nothing; an unknown macro or a refused change answers 422."""
    macro = desk.macros.get(body.macro)
    if macro is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"no macro named {body.macro!r}; GET /api/v1/macros lists them",
        )
    if any("\x00" in value for value in body.variables.values()):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="a variable contains a NUL character"
        )
    with refusals_as_422():
        macros.apply_macro(db, ticket, macro, actor=actor_for(user), variables=body.variables)
        db.commit()
    db.refresh(ticket)  # answer with what is stored (tags in their stored order)
    return ticket_detail(db, ticket)
