"""POST /webhooks/slack/events: Slack's Events API, signed (v0) over the raw body.

Slack wants an answer within 3 seconds and retries otherwise: the handler checks the signature, stores
what the event says in one short transaction, and asks users.info for the author's name after answering.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from communitydesk.integrations.slack import signature
from communitydesk.integrations.slack.client import SlackClient, SlackError
from communitydesk.outreach import events
from communitydesk.runtime import Desk

logger = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/slack/events", summary="Receive a signed Slack Events API request")
async def receive_slack_event(request: Request, background: BackgroundTasks) -> dict[str, Any]:
    """Answer Slack's URL check and record replies in outreach threads; unsigned or old requests get 401."""
    desk: Desk = request.app.state.desk
    body = await request.body()  # the exact bytes Slack signed, before any parsing
    refusal = signature.check(
        desk.settings.slack.signing_secret.get_secret_value(),
        body,
        request.headers.get("X-Slack-Request-Timestamp"),
        request.headers.get("X-Slack-Signature"),
    )
    if refusal:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=refusal)
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="expected a JSON object")
    kind = payload.get("type")
    if kind == "url_verification":
        return {"challenge": str(payload.get("challenge", ""))}
    if kind != "event_callback":
        return {"status": "ignored"}
    outcome = await run_in_threadpool(events.handle_event_callback, desk, payload)
    if outcome.reply_id is not None and outcome.slack_user:
        background.add_task(_name_author, desk, outcome.reply_id, outcome.slack_user)
    return {"status": outcome.outcome}


def _name_author(desk: Desk, reply_id: int, slack_user: str) -> None:
    try:
        name = SlackClient(desk.settings.slack).user_name(slack_user)
    except SlackError as exc:  # no token: the reply keeps the Slack user id
        logger.info("cannot name Slack user %s: %s", slack_user, exc)
        return
    events.name_reply_author(desk, reply_id, slack_user, name)
