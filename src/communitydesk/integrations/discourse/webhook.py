"""POST /webhooks/discourse: verify the signature on the raw bytes, then store the post as a mention."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from communitydesk.db.engine import transaction
from communitydesk.intake.flows import PollReport, ingest_items
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import RawItem
from communitydesk.integrations.discourse import signature
from communitydesk.integrations.discourse.source import ACCEPTED_TAG, NAME, normalize_post
from communitydesk.mentions import service as mentions
from communitydesk.mentions.schemas import MentionIn
from communitydesk.runtime import Desk

logger = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])

POST_EVENTS = frozenset({"post_created", "post_edited", "post_recovered", "accepted_solution"})


class WebhookPosts:
    """The Discourse source as a webhook sees it: one post at a time, no polling."""

    name = NAME

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def scopes(self) -> list[str]:
        return ["webhook"]

    def initial_cursor(self, scope: str, since: object) -> None:
        return None

    def fetch(self, scope: str, cursor: str | None) -> Any:
        raise NotImplementedError("webhook posts are pushed, not fetched")

    def normalize(self, raw: RawItem) -> MentionIn | None:
        return normalize_post(raw, base_url=self.base_url)

    def ticket_tags(self, raw: RawItem) -> list[str]:
        return [ACCEPTED_TAG] if raw.get("accepted_answer") is True else []


def _refuse(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail)


@router.post("/webhooks/discourse", summary="Receive a signed Discourse webhook")
async def receive_discourse_webhook(request: Request) -> dict[str, Any]:
    """Store the post of a signed Discourse webhook; unsigned or wrongly signed requests get 401."""
    desk: Desk = request.app.state.desk
    secret = desk.settings.discourse.webhook_secret.get_secret_value()
    body = await request.body()  # the exact bytes Discourse signed, before any parsing
    if not secret:
        raise _refuse("Discourse webhooks are off: set DESK_DISCOURSE__WEBHOOK_SECRET")
    if not signature.is_valid(secret, body, request.headers.get("X-Discourse-Event-Signature")):
        raise _refuse("missing or wrong X-Discourse-Event-Signature")
    event = request.headers.get("X-Discourse-Event", "")
    event_id = request.headers.get("X-Discourse-Event-Id", "?")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        await run_in_threadpool(_keep_reject, desk, event_id, f"invalid JSON: {exc}", body)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"invalid JSON: {exc}") from exc
    post = payload.get("post") if isinstance(payload, dict) else None
    if event not in POST_EVENTS or not isinstance(post, dict):
        return {"status": "ignored", "event": event}
    base_url = desk.settings.discourse.base_url or request.headers.get("X-Discourse-Instance", "")
    source = WebhookPosts(base_url)
    report = await run_in_threadpool(
        ingest_items, desk, source, [post], scope=f"webhook:{event_id}", watch=rules_for(desk.settings, NAME)
    )
    return _answer(event, report)


def _answer(event: str, report: PollReport) -> dict[str, Any]:
    if report.rejected:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=report.errors[0])
    outcome = "stored" if report.new else "duplicate" if report.duplicate else "skipped"
    return {"status": outcome, "event": event}


def _keep_reject(desk: Desk, event_id: str, reason: str, body: bytes) -> None:
    with transaction(desk.sessions) as session:
        mentions.add_reject(
            session,
            source=NAME,
            location=f"discourse:webhook:{event_id}",
            reason=reason,
            payload=body.decode("utf-8", errors="replace"),
        )
