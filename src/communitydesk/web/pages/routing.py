"""The ticket page's "Who to ask" card: the routing of a ticket, loaded by htmx after the page."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from communitydesk.api.deps import DbSession, DeskDep
from communitydesk.api.docs import DocsIndex
from communitydesk.routing import service as routing
from communitydesk.web.auth import CurrentUser
from communitydesk.web.csrf import csrf_token
from communitydesk.web.errors import PageRoute
from communitydesk.web.pages.ticket import CurrentTicket
from communitydesk.web.templating import render_fragment

router = APIRouter(route_class=PageRoute)


@router.get("/tickets/{ticket_id}/routing")
def routing_card(
    request: Request,
    user: CurrentUser,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    index: DocsIndex,
) -> Response:
    """Return the stage, group, category, people and channel to ask about the ticket, with reasons."""
    with routing.open_router(db, desk.settings, shared_index=index) as router:
        result = routing.route_ticket(db, router, ticket) if router.stages else None
    context = {
        "routing": result,
        "ticket": ticket,
        "can_edit": user.can_edit,
        "csrf_token": csrf_token(request),
        # One click asks the first suggested person who has a Slack id (a mention pings them).
        "ask": next((e for e in result.experts if e.slack_user_id), None) if result else None,
    }
    return render_fragment(request, "_routing.html", context)
