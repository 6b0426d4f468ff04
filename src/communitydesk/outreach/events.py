"""Slack Events API deliveries that concern outreach: replies in an outreach thread.

A human's message in the thread of an outreach message (thread_ts == the outreach's ts, same channel) is
recorded on the ticket; one starting with the draft marker (default `draft:`) is an expert's draft answer
for the advocate to post. Bot messages (the desk's own reminders) and edits or deletions are ignored. The
event_id is stored in the same transaction, so a redelivered event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from communitydesk.db.engine import transaction
from communitydesk.outreach import service
from communitydesk.runtime import Desk

# Message subtypes that are a person's new message in a thread; every other subtype is not.
_HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


@dataclass(frozen=True)
class EventOutcome:
    outcome: str
    reply_id: int | None = None
    slack_user: str | None = None


def handle_event_callback(desk: Desk, payload: dict[str, Any]) -> EventOutcome:
    """Act on one event_callback delivery exactly once."""
    event_id = str(payload.get("event_id") or "")
    event = payload.get("event")
    if not event_id or not isinstance(event, dict):
        return EventOutcome("ignored")
    event_type = str(event.get("type") or "")
    with transaction(desk.sessions) as session:
        if not service.mark_event_seen(session, event_id, event_type, "received"):
            return EventOutcome("duplicate")
        outcome = _act(session, desk, event)
        service.set_event_outcome(session, event_id, outcome.outcome)
        return outcome


def _act(session: Session, desk: Desk, event: dict[str, Any]) -> EventOutcome:
    thread_ts, channel, ts = event.get("thread_ts"), event.get("channel"), event.get("ts")
    if (
        event.get("type") != "message"
        or event.get("subtype") not in _HUMAN_SUBTYPES
        or event.get("bot_id")
        or not isinstance(thread_ts, str)
        or not isinstance(channel, str)
        or not isinstance(ts, str)
        or ts == thread_ts
    ):
        return EventOutcome("ignored")
    outreach = service.by_thread(session, channel, thread_ts)
    if outreach is None:
        return EventOutcome("ignored")
    user = event.get("user") if isinstance(event.get("user"), str) else None
    text = event.get("text")
    reply = service.record_reply(
        session,
        outreach,
        slack_ts=ts,
        slack_user=user,
        text=text.replace("\x00", "") if isinstance(text, str) else "",
        draft_marker=desk.settings.outreach.draft_marker,
    )
    if reply is None:
        return EventOutcome("duplicate")
    session.flush()
    return EventOutcome("draft" if reply.is_draft else "reply", reply.id, user)


def name_reply_author(desk: Desk, reply_id: int, slack_user: str, name: str | None) -> None:
    """Store the display name Slack gave for a reply's author."""
    if not name:
        return
    with transaction(desk.sessions) as session:
        service.set_reply_author(session, reply_id, name)
