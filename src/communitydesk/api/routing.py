"""Routing: which stage, group, category, people and channel to ask about a ticket or a text."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from communitydesk.api.deps import DbSession, DeskDep
from communitydesk.api.docs import DocsIndex
from communitydesk.api.errors import NO_TICKET
from communitydesk.api.tickets import CurrentTicket
from communitydesk.routing import service as routing
from communitydesk.routing.schemas import RoutingOut, RoutingRequest

router = APIRouter(tags=["routing"])
EMPTY_DIRECTORY: dict[int | str, dict[str, Any]] = {
    409: {"description": "The expert directory is empty (desk experts import)."}
}


@router.get("/tickets/{ticket_id}/routing", responses={**NO_TICKET, **EMPTY_DIRECTORY})
def route_ticket(db: DbSession, desk: DeskDep, ticket: CurrentTicket, index: DocsIndex) -> RoutingOut:
    """Route a ticket: ranked stage -> group -> category, people and channel, confidence and reasons."""
    with routing.open_router(db, desk.settings, shared_index=index) as router:
        if not router.stages:
            raise HTTPException(status.HTTP_409_CONFLICT, detail="the expert directory is empty")
        return RoutingOut.of(routing.route_ticket(db, router, ticket))


@router.post("/routing", responses=EMPTY_DIRECTORY)
def route_text(db: DbSession, desk: DeskDep, request: RoutingRequest, index: DocsIndex) -> RoutingOut:
    """Route any text (with the mention's channel and URL when known)."""
    with routing.open_router(db, desk.settings, shared_index=index) as router:
        if not router.stages:
            raise HTTPException(status.HTTP_409_CONFLICT, detail="the expert directory is empty")
        return RoutingOut.of(router.route(request.text, channel=request.channel, url=request.url))
