"""Reads and writes of outreach: the request text, where to ask, the queue, thread replies, events seen."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from communitydesk.config import Settings
from communitydesk.mentions.models import Mention
from communitydesk.outreach.models import OutreachNudge, OutreachReply, OutreachRequest, SlackEvent
from communitydesk.outreach.schemas import NudgeOut, OutreachOut, ReplyOut, Target
from communitydesk.routing import service as routing
from communitydesk.taxonomy.models import Group, Stage
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "expert_request.txt"
# An attempt that has held a request this long without finishing died with its process: take it over.
CLAIM_LEASE = timedelta(minutes=10)
# Event ids are kept this long to drop Slack's redeliveries; Slack gives up retrying within an hour.
EVENT_MEMORY = timedelta(days=7)
PLATFORMS = {
    "twitter": "X (Twitter)",
    "blog_comment": "the blog post's comments",
    "docs_comment": "the docs page's comments",
    "hackernews": "Hacker News",
    "reddit": "Reddit",
    "forum": "the community forum",
    "zendesk": "the support ticket",
}
CHANNEL_NAME = re.compile(r"^#?[a-z0-9][a-z0-9_\-]{0,79}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
_SLACK_USER = re.compile(r"^<?@?([UW][A-Z0-9]{6,})>?$")
_SLACK_GROUP = re.compile(r"^<!subteam\^[A-Z0-9]+(\|[^<>]*)?>$")
_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)


class OutreachError(ValueError):
    """An outreach the desk refuses, with a message fit for the user."""


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup (community text is hostile)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def expert_mention(expert: str | None) -> str:
    """Return the expert as Slack should show it: a real mention for a user id, else the handle as text."""
    if not expert:
        return "Hi experts,"
    value = expert.strip()
    user = _SLACK_USER.match(value)
    if user:
        return f"<@{user.group(1)}>"
    if _SLACK_GROUP.match(value):
        return value
    return slack_escape(value)


def slack_link(url: str | None) -> str:
    """Return a URL as a Slack link; anything that is not a plain http(s) URL stays inert text."""
    if not url:
        return "(no link to the comment)"
    if re.match(r"^https?://[^\s<>|]+$", url):
        return f"<{url.replace('&', '&amp;')}>"
    return slack_escape(url)


def first_mention_url(session: Session, ticket: Ticket) -> str | None:
    return session.scalar(
        select(Mention.url).where(Mention.ticket_id == ticket.id).order_by(Mention.created_at).limit(1)
    )


def render_request(session: Session, settings: Settings, ticket: Ticket, expert: str | None) -> str:
    """Render the expert request for a ticket with the configured (or the seed's) template."""
    path = settings.outreach.template_file or DEFAULT_TEMPLATE
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OutreachError(f"{path}: cannot read the outreach template: {exc.strerror}") from exc
    context: dict[str, Any] = {
        "expert": expert_mention(expert),
        "link": slack_link(first_mention_url(session, ticket)),
        "platform": PLATFORMS.get(ticket.channel, "the original platform"),
        "company": slack_escape(settings.company_names[0] if settings.company_names else "our company"),
        "ticket": {"id": ticket.id, "subject": slack_escape(ticket.subject)},
        "marker": slack_escape(settings.outreach.draft_marker),
    }
    try:
        return _env.from_string(source).render(context).strip()
    except TemplateError as exc:
        raise OutreachError(f"{path}: template error: {exc}") from exc


def _group_of(session: Session, ticket: Ticket) -> Group | None:
    if not ticket.group_name:
        return None
    return session.scalar(
        select(Group).where(or_(Group.key == ticket.group_name, Group.name == ticket.group_name)).limit(1)
    )


def _stage_of(session: Session, ticket: Ticket, group: Group | None) -> Stage | None:
    if group is not None:
        return session.get(Stage, group.stage_id)
    if not ticket.stage:
        return None
    return session.scalar(
        select(Stage).where(or_(Stage.key == ticket.stage, Stage.name == ticket.stage)).limit(1)
    )


def suggest_target(session: Session, ticket: Ticket) -> Target | None:
    """The Slack channel of the ticket's group, else of its stage, when an advocate has set them."""
    group = _group_of(session, ticket)
    if group is not None and group.slack_channel:
        return Target(group.slack_channel, reason=f"channel of group {group.name}")
    stage = _stage_of(session, ticket, group)
    if stage is not None and stage.slack_channel:
        return Target(stage.slack_channel, reason=f"channel of stage {stage.name}")
    return None


def resolve_target(
    session: Session, settings: Settings, ticket: Ticket, channel: str | None, expert: str | None
) -> Target:
    """Return the channel and expert to use: the given ones, else the suggestion, else the fallback."""
    if expert is not None and ("\x00" in expert or len(expert) > 200):
        raise OutreachError("the expert must be a Slack user id or a handle of at most 200 characters")
    if channel:
        name = channel.strip()
        if CHANNEL_ID.match(name):
            return Target(name, expert)
        if not CHANNEL_NAME.match(name):
            raise OutreachError(f"{channel!r} is not a Slack channel: use #name (lowercase) or a channel id")
        return Target(f"#{name.removeprefix('#')}", expert)
    suggested = suggest_target(session, ticket) or routed_target(session, settings, ticket)
    return Target(suggested.channel, expert or suggested.expert, suggested.reason)


def routed_target(session: Session, settings: Settings, ticket: Ticket) -> Target:
    """Ask routing: its channel and first person with a Slack id (below its threshold: the fallback)."""
    with routing.open_router(session, settings) as router:
        routed = routing.route_ticket(session, router, ticket) if router.stages else None
        fallback = router.fallback_channel
    if routed is None or not routed.channel:
        return Target(fallback, None, "fallback channel (no expert directory)")
    person = next((e.slack_user_id for e in routed.experts if e.slack_user_id), None)
    why = "fallback channel: routing is unsure" if routed.fallback else f"routing ({routed.confidence:.2f})"
    return Target(routed.channel, person, why)


def escalation_people(session: Session, ticket: Ticket) -> list[tuple[str, str]]:
    """Return (name, role) of the PM and EMs of the ticket's group (else stage), from the taxonomy."""
    group = _group_of(session, ticket)
    stage = _stage_of(session, ticket, group)
    people: list[tuple[str, str]] = []
    roles = (
        ("pm", "PM"),
        ("em", "EM"),
        ("backend_engineering_manager", "EM"),
        ("frontend_engineering_manager", "EM"),
        ("engineering_manager", "EM"),
    )
    for source in (group, stage):
        if source is None:
            continue
        for key, role in roles:
            value = source.attributes.get(key)
            names = value if isinstance(value, list) else [value]
            for name in names:
                person = (name.strip(), role) if isinstance(name, str) else ("", role)
                if person[0] and person[0].upper() != "TBD" and person not in people:
                    people.append(person)
        if people:
            break
    return people


def get(session: Session, outreach_id: int) -> OutreachRequest | None:
    return session.get(OutreachRequest, outreach_id)


def of_ticket(session: Session, ticket_id: int) -> Sequence[OutreachRequest]:
    return session.scalars(
        select(OutreachRequest).where(OutreachRequest.ticket_id == ticket_id).order_by(OutreachRequest.id)
    ).all()


def replies_of(session: Session, outreach_ids: Sequence[int]) -> Sequence[OutreachReply]:
    return session.scalars(
        select(OutreachReply)
        .where(OutreachReply.outreach_id.in_(outreach_ids))
        .order_by(OutreachReply.created_at, OutreachReply.id)
    ).all()


def nudges_of(session: Session, outreach_ids: Sequence[int]) -> Sequence[OutreachNudge]:
    return session.scalars(
        select(OutreachNudge).where(OutreachNudge.outreach_id.in_(outreach_ids)).order_by(OutreachNudge.id)
    ).all()


def due_requests(session: Session, now: datetime) -> list[int]:
    """Ids of queued requests whose next attempt is due, and of attempts that died holding one."""
    return list(
        session.scalars(
            select(OutreachRequest.id)
            .where(
                or_(
                    (OutreachRequest.status == "queued") & (OutreachRequest.next_attempt_at <= now),
                    (OutreachRequest.status == "sending") & (OutreachRequest.claimed_at < now - CLAIM_LEASE),
                )
            )
            .order_by(OutreachRequest.id)
        )
    )


def claim(
    session: Session, model: type[OutreachRequest] | type[OutreachNudge], row_id: int, now: datetime
) -> bool:
    """Take a queued (or abandoned) request or nudge for one attempt; False when another attempt has it.

    One conditional UPDATE, so two workers never post the same message at once.
    """
    result = session.execute(
        update(model)
        .where(
            model.id == row_id,
            or_(
                model.status == "queued", (model.status == "sending") & (model.claimed_at < now - CLAIM_LEASE)
            ),
        )
        .values(status="sending", claimed_at=now, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def waiting_for_expert(session: Session, now: datetime, older_than: timedelta) -> Sequence[OutreachRequest]:
    """Sent requests older than `older_than` whose thread has no reply and whose ticket is still open."""
    answered = exists().where(OutreachReply.outreach_id == OutreachRequest.id)
    return session.scalars(
        select(OutreachRequest)
        .join(Ticket, Ticket.id == OutreachRequest.ticket_id)
        .where(
            OutreachRequest.status == "sent",
            OutreachRequest.sent_at <= now - older_than,
            Ticket.status.not_in(("solved", "closed")),
            ~answered,
        )
        .order_by(OutreachRequest.id)
    ).all()


def add_nudge(session: Session, outreach: OutreachRequest, kind: str, text: str) -> bool:
    """Queue a follow-up once per outreach and kind; False when it already exists."""
    try:
        with session.begin_nested():
            session.add(OutreachNudge(outreach_id=outreach.id, kind=kind, text=text, status="queued"))
    except IntegrityError:
        return False
    return True


def queued_nudges(session: Session, now: datetime) -> list[int]:
    return list(
        session.scalars(
            select(OutreachNudge.id)
            .where(
                or_(
                    OutreachNudge.status == "queued",
                    (OutreachNudge.status == "sending") & (OutreachNudge.claimed_at < now - CLAIM_LEASE),
                )
            )
            .order_by(OutreachNudge.id)
        )
    )


def by_thread(session: Session, channel_id: str, thread_ts: str) -> OutreachRequest | None:
    """Return the outreach whose Slack message starts this thread."""
    return session.scalar(
        select(OutreachRequest)
        .where(OutreachRequest.channel_id == channel_id, OutreachRequest.ts == thread_ts)
        .limit(1)
    )


def mark_event_seen(session: Session, event_id: str, event_type: str, outcome: str) -> bool:
    """Remember an Events API delivery; False when this event_id was handled before."""
    try:
        with session.begin_nested():
            session.add(SlackEvent(event_id=event_id, event_type=event_type[:60], outcome=outcome[:40]))
    except IntegrityError:
        return False
    return True


def prune_events(session: Session, before: datetime) -> int:
    """Forget Events API deliveries older than `before` (Slack stops retrying after an hour)."""
    result = session.execute(delete(SlackEvent).where(SlackEvent.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def set_event_outcome(session: Session, event_id: str, outcome: str) -> None:
    event = session.get(SlackEvent, event_id)
    if event is not None:
        event.outcome = outcome[:40]


def record_reply(
    session: Session,
    outreach: OutreachRequest,
    *,
    slack_ts: str,
    slack_user: str | None,
    text: str,
    draft_marker: str,
) -> OutreachReply | None:
    """Record a thread reply on the outreach's ticket; a reply starting with the marker is a draft."""
    stripped = text.strip()
    is_draft = bool(draft_marker) and stripped.lower().startswith(draft_marker.lower())
    body = stripped[len(draft_marker) :].strip() if is_draft else stripped
    reply = OutreachReply(
        outreach_id=outreach.id,
        ticket_id=outreach.ticket_id,
        slack_ts=slack_ts,
        slack_user=slack_user,
        author_name=None,
        text=body,
        is_draft=is_draft,
    )
    try:
        with session.begin_nested():
            session.add(reply)
    except IntegrityError:
        return None  # the same Slack message, delivered under another event id
    ticket = session.get(Ticket, outreach.ticket_id)
    if ticket is not None:
        action = "expert_draft" if is_draft else "slack_reply"
        tickets.record(
            session, ticket, actor=Actor(f"slack:{slack_user or 'unknown'}"), action=action, new=slack_ts
        )
    return reply


def draft_of_ticket(session: Session, ticket_id: int, reply_id: int) -> OutreachReply | None:
    """Return an expert's draft handed over in one of this ticket's outreach threads."""
    reply = session.get(OutreachReply, reply_id)
    if reply is None or reply.ticket_id != ticket_id or not reply.is_draft:
        return None
    return reply


def set_reply_author(session: Session, reply_id: int, name: str) -> None:
    reply = session.get(OutreachReply, reply_id)
    if reply is not None:
        reply.author_name = name[:200]


def views_of_ticket(session: Session, ticket_id: int) -> list[OutreachOut]:
    """Return a ticket's outreach, each with its thread replies and follow-ups, oldest first."""
    rows = of_ticket(session, ticket_id)
    ids = [row.id for row in rows]
    replies = replies_of(session, ids)
    nudges = nudges_of(session, ids)
    return [
        OutreachOut.model_validate(row).model_copy(
            update={
                "replies": [ReplyOut.model_validate(r) for r in replies if r.outreach_id == row.id],
                "nudges": [NudgeOut.model_validate(n) for n in nudges if n.outreach_id == row.id],
            }
        )
        for row in rows
    ]
