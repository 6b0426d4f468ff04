"""Expert outreach on a ticket: ask in Slack, read the threads; the interim public reply."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response, status

from communitydesk.api.deps import ApiEditor, DbSession, DeskDep, actor_for
from communitydesk.api.errors import EDITORS_ONLY, NO_TICKET, refusals_as_422
from communitydesk.api.pagination import MAX_ID
from communitydesk.api.tickets import CurrentTicket
from communitydesk.integrations.slack.client import SlackClient, SlackNotConfigured
from communitydesk.outreach import flows
from communitydesk.outreach import service as outreach
from communitydesk.outreach.schemas import OutreachIn, OutreachOut
from communitydesk.replies import service as replies
from communitydesk.replies.schemas import InterimReplyIn, PostedDraftIn, PublicReplyOut

router = APIRouter(tags=["outreach"])
NOT_CONFIGURED: dict[int | str, dict[str, Any]] = {
    503: {"description": "Slack is not set up (no bot token)."}
}


@router.post(
    "/tickets/{ticket_id}/outreach",
    status_code=status.HTTP_201_CREATED,
    responses={
        **EDITORS_ONLY,
        **NO_TICKET,
        **NOT_CONFIGURED,
        202: {"description": "Slack did not take it yet: queued, retried by the worker."},
        422: {"description": "Slack refused the request (e.g. no such channel); kept as failed."},
    },
)
def ask_expert(
    user: ApiEditor, desk: DeskDep, db: DbSession, ticket: CurrentTicket, body: OutreachIn, response: Response
) -> OutreachOut:
    """Post the expert request to Slack, store its permalink and apply `Reached out to expert`.

    201: posted. 202: Slack was unavailable; the request waits in the queue (never lost, never sent twice).
    """
    ticket_id = ticket.id
    db.close()  # the flow commits in its own sessions; reading afterwards must see what they wrote
    try:
        client = SlackClient(desk.settings.slack)
    except SlackNotConfigured as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
    try:
        outreach_id = flows.send_outreach(
            desk, ticket_id, client, channel=body.channel, expert=body.expert, actor=actor_for(user)
        )
    except outreach.OutreachError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from exc
    views = outreach.views_of_ticket(db, ticket_id)
    view = next(item for item in views if item.id == outreach_id)
    if view.status == "failed":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"{view.last_error}; outreach #{view.id} is kept as failed",
        )
    if view.status != "sent":
        response.status_code = status.HTTP_202_ACCEPTED
    return view


@router.get("/tickets/{ticket_id}/outreach", responses=NO_TICKET)
def list_outreach(db: DbSession, ticket: CurrentTicket) -> list[OutreachOut]:
    """A ticket's expert requests with their Slack threads: replies, drafts, reminders, escalations."""
    return outreach.views_of_ticket(db, ticket.id)


@router.post(
    "/tickets/{ticket_id}/interim-reply",
    status_code=status.HTTP_201_CREATED,
    responses={**EDITORS_ONLY, **NO_TICKET},
)
def record_interim_reply(
    user: ApiEditor, desk: DeskDep, db: DbSession, ticket: CurrentTicket, body: InterimReplyIn
) -> PublicReplyOut:
    """Record the public holding reply the company account gave while an expert is asked."""
    with refusals_as_422():
        reply = replies.record_interim_reply(
            db, desk.settings, ticket, text=body.text, url=body.url, actor=actor_for(user)
        )
        db.commit()
    return PublicReplyOut.model_validate(reply)


@router.get("/tickets/{ticket_id}/public-replies", responses=NO_TICKET)
def list_public_replies(db: DbSession, ticket: CurrentTicket) -> list[PublicReplyOut]:
    """Public replies from the company account, oldest (the first response) first."""
    return [PublicReplyOut.model_validate(row) for row in replies.of_ticket(db, ticket.id)]


@router.post(
    "/tickets/{ticket_id}/drafts/{draft_id}/posted",
    status_code=status.HTTP_201_CREATED,
    responses={**EDITORS_ONLY, **NO_TICKET},
)
def record_posted_draft(
    user: ApiEditor,
    db: DbSession,
    ticket: CurrentTicket,
    draft_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Id of the draft (a reply in `replies`).")],
    body: PostedDraftIn,
) -> PublicReplyOut:
    """Record that an expert's draft from the Slack thread was posted from the company account."""
    draft = outreach.draft_of_ticket(db, ticket.id, draft_id)
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"ticket #{ticket.id} has no draft #{draft_id}")
    with refusals_as_422():
        reply = replies.record_posted_draft(
            db,
            ticket,
            draft_text=draft.text,
            expert=draft.author_name or draft.slack_user or "the expert",
            url=body.url,
            actor=actor_for(user),
        )
        db.commit()
    return PublicReplyOut.model_validate(reply)
