"""Expert outreach from the ticket page: ask in Slack, record the interim reply."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from communitydesk.api.deps import DbSession, DeskDep, actor_for
from communitydesk.api.pagination import MAX_ID
from communitydesk.integrations.slack.client import SlackClient, SlackError
from communitydesk.outreach import flows
from communitydesk.outreach import service as outreach
from communitydesk.replies import service as replies
from communitydesk.tickets.service import TicketError
from communitydesk.web.auth import Editor
from communitydesk.web.errors import PageRoute
from communitydesk.web.flash import flash
from communitydesk.web.pages.actions import back_to_ticket, outcome
from communitydesk.web.pages.ticket import CurrentTicket

router = APIRouter(route_class=PageRoute)


@router.post("/tickets/{ticket_id}/outreach")
def ask_expert(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    channel: Annotated[str, Form(max_length=100)] = "",
    expert: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    """Post the expert request to Slack (or queue it when Slack is unavailable)."""
    ticket_id = ticket.id
    db.close()  # the flow commits in its own sessions
    try:
        client = SlackClient(desk.settings.slack)
        outreach_id = flows.send_outreach(
            desk,
            ticket_id,
            client,
            channel=channel.strip() or None,
            expert=expert.strip() or None,
            actor=actor_for(user),
        )
    except (SlackError, outreach.OutreachError) as exc:
        flash(request, str(exc), "error")
        return back_to_ticket(request)
    row = outreach.get(db, outreach_id)
    assert row is not None
    if row.status == "sent":
        flash(request, f"Asked in {row.channel}; applied “Reached out to expert”.", "success")
    elif row.status == "queued":
        flash(
            request,
            f"Slack did not take it yet ({row.last_error}); it is queued and will be retried.",
            "error",
        )
    else:
        flash(request, f"Slack refused the request: {row.last_error}", "error")
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/interim-reply")
def record_interim_reply(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    text: Annotated[str, Form(max_length=10_000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Record the public holding reply the company account gave."""
    with outcome(request, db, "Interim reply recorded."):
        link = url.strip() or None
        if link and not link.startswith(("https://", "http://")):
            raise TicketError("the reply's link must be an http(s) URL")
        replies.record_interim_reply(db, desk.settings, ticket, text=text, url=link, actor=actor_for(user))
        db.commit()
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/drafts/{draft_id}/posted")
def record_posted_draft(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    draft_id: int,
    url: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    """Record that the expert's draft was posted from the company account."""
    with outcome(request, db, "Recorded the expert's draft as posted."):
        draft = outreach.draft_of_ticket(db, ticket.id, draft_id) if 1 <= draft_id <= MAX_ID else None
        if draft is None:
            raise TicketError(f"there is no draft #{draft_id} on this ticket")
        link = url.strip() or None
        if link and not link.startswith(("https://", "http://")):
            raise TicketError("the reply's link must be an http(s) URL")
        replies.record_posted_draft(
            db,
            ticket,
            draft_text=draft.text,
            expert=draft.author_name or draft.slack_user or "the expert",
            url=link,
            actor=actor_for(user),
        )
        db.commit()
    return back_to_ticket(request)
