"""Outreach workflows: ask an expert in Slack, retry what Slack did not take, follow up, record replies.

Never lost: a request is stored (status queued) before Slack is called, in its own transaction, and only
a refusal about the request itself (no such channel, ...) ends it as failed.

Never twice: each attempt first claims the request with a conditional UPDATE (two workers cannot hold
it together), then posts with message metadata {event_type: community_desk_outreach, outreach_id,
ticket_id}. An attempt can end without knowing whether Slack got the message (the connection dropped
after the request was sent, a 5xx after Slack stored it, the process died). So any attempt after the
first looks in the channel's history (conversations.history with include_all_metadata) for a message
carrying that metadata and adopts it instead of posting again. Reminders and escalations work the same
way in the thread (conversations.replies), and exist at most once per outreach by a unique constraint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.db.engine import transaction
from communitydesk.experts import service as experts
from communitydesk.experts.models import Person
from communitydesk.integrations.slack.client import MessageMark, SlackClient, SlackError
from communitydesk.macros.service import MacroError, apply_macro
from communitydesk.outreach import service
from communitydesk.outreach.models import OutreachNudge, OutreachRequest
from communitydesk.outreach.schemas import NUDGE_EVENT, OUTREACH_EVENT, REACHED_OUT_MACRO
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import SYSTEM, Actor

ClientFactory = Callable[[], SlackClient]
# Messages older than the request by more than this are not searched (clock skew with Slack).
_SEARCH_SLACK_SECONDS = 120


def _oldest(moment: datetime) -> str:
    return f"{moment.timestamp() - _SEARCH_SLACK_SECONDS:.6f}"


def _outreach_mark(outreach: OutreachRequest) -> MessageMark:
    return MessageMark(OUTREACH_EVENT, {"outreach_id": outreach.id, "ticket_id": outreach.ticket_id})


def _nudge_mark(nudge: OutreachNudge) -> MessageMark:
    return MessageMark(NUDGE_EVENT, {"outreach_id": nudge.outreach_id, "kind": nudge.kind})


def _backoff(desk: Desk, attempts: int, retry_after: float | None) -> timedelta:
    settings = desk.settings.outreach
    minutes = min(settings.retry_backoff_minutes * 2 ** max(0, attempts - 1), settings.max_backoff_minutes)
    return max(timedelta(minutes=minutes), timedelta(seconds=retry_after or 0))


def request_outreach(
    desk: Desk, ticket_id: int, *, channel: str | None, expert: str | None, actor: Actor
) -> int:
    """Store the request for a ticket, rendered and queued for an immediate attempt; return its id."""
    with transaction(desk.sessions) as session:
        ticket = tickets.get(session, ticket_id)
        if ticket is None:
            raise service.OutreachError(f"ticket #{ticket_id} does not exist")
        if ticket.status == "closed":
            raise service.OutreachError(f"ticket #{ticket_id} is closed")
        target = service.resolve_target(session, desk.settings, ticket, channel, expert)
        outreach = OutreachRequest(
            ticket_id=ticket.id,
            channel=target.channel,
            expert=target.expert,
            text=service.render_request(session, desk.settings, ticket, target.expert),
            status="queued",
            next_attempt_at=utcnow(),
            requested_by_id=actor.user_id,
            requested_by=actor.label,
            created_at=utcnow(),
        )
        session.add(outreach)
        session.flush()
        tickets.record(
            session,
            ticket,
            actor=actor,
            action="outreach_requested",
            field="slack_channel",
            new=target.channel,
        )
        return outreach.id


def send_outreach(
    desk: Desk, ticket_id: int, client: SlackClient, *, channel: str | None, expert: str | None, actor: Actor
) -> int:
    """Ask an expert about a ticket now: store the request, then make the first attempt."""
    outreach_id = request_outreach(desk, ticket_id, channel=channel, expert=expert, actor=actor)
    deliver(desk, outreach_id, client)
    return outreach_id


def deliver(desk: Desk, outreach_id: int, client: SlackClient, *, now: datetime | None = None) -> str:
    """Make one attempt at posting a request; return its status afterwards ('busy' when held elsewhere)."""
    moment = now or utcnow()
    with transaction(desk.sessions) as session:
        if not service.claim(session, OutreachRequest, outreach_id, moment):
            return "busy"
        outreach = session.get(OutreachRequest, outreach_id)
        assert outreach is not None  # just claimed
        session.expunge(outreach)  # a snapshot for the Slack calls, outside any transaction
    # Nothing can precede the first attempt; a later one knows the history once it has searched it.
    attempt = _Attempt(checked=outreach.attempts == 1)
    try:
        channel_id, ts = _post_once(
            client,
            outreach.channel,
            outreach.channel_id,
            outreach.text,
            _outreach_mark(outreach),
            first_attempt=outreach.attempts == 1,
            oldest=_oldest(outreach.history_checked_at or outreach.created_at),
            attempt=attempt,
        )
    except SlackError as exc:
        return _attempt_failed(desk, outreach, exc, moment, history_checked=attempt.checked)
    try:
        permalink: str | None = client.permalink(channel_id, ts)
        permalink_error = None
    except SlackError as exc:  # the message is in Slack; a missing link must not post it again
        permalink, permalink_error = None, str(exc)
    with transaction(desk.sessions) as session:
        _mark_sent(session, desk, outreach.id, channel_id, ts, permalink, permalink_error)
    return "sent"


def _post_once(
    client: SlackClient,
    channel: str,
    channel_id: str | None,
    text: str,
    mark: MessageMark,
    *,
    first_attempt: bool,
    oldest: str,
    thread_ts: str | None = None,
    attempt: _Attempt | None = None,
) -> tuple[str, str]:
    """Post a marked message unless an earlier attempt already did; return (channel id, ts)."""
    if not first_attempt:
        known_id = channel_id or client.channel_id(channel)
        found = client.find_marked(known_id, mark, oldest=oldest, thread_ts=thread_ts)
        if found is not None:
            return known_id, found
        if attempt is not None:
            attempt.checked = True
    posted = client.post_message(channel_id or channel, text, thread_ts=thread_ts, mark=mark)
    return posted.channel_id, posted.ts


@dataclass
class _Attempt:
    """What one attempt learnt before it failed: whether no earlier attempt had posted (history checked)."""

    checked: bool


def _attempt_failed(
    desk: Desk, snapshot: OutreachRequest, exc: SlackError, moment: datetime, *, history_checked: bool
) -> str:
    with transaction(desk.sessions) as session:
        outreach = session.get(OutreachRequest, snapshot.id)
        ticket = tickets.get(session, snapshot.ticket_id)
        assert outreach is not None and ticket is not None
        outreach.last_error = str(exc)[:2000]
        outreach.claimed_at = None
        if history_checked:  # only this attempt, begun at `moment`, may have posted unseen
            outreach.history_checked_at = moment
        if exc.retryable:
            outreach.status = "queued"
            outreach.next_attempt_at = moment + _backoff(desk, outreach.attempts, exc.retry_after)
            if outreach.attempts == 1:
                tickets.record(session, ticket, actor=SYSTEM, action="outreach_queued", new=str(exc)[:500])
        else:
            outreach.status = "failed"
            outreach.next_attempt_at = None
            tickets.record(session, ticket, actor=SYSTEM, action="outreach_failed", new=str(exc)[:500])
        return outreach.status


def _mark_sent(
    session: Session,
    desk: Desk,
    outreach_id: int,
    channel_id: str,
    ts: str,
    permalink: str | None,
    permalink_error: str | None,
) -> None:
    outreach = session.get(OutreachRequest, outreach_id)
    assert outreach is not None
    outreach.status = "sent"
    outreach.channel_id = channel_id
    outreach.ts = ts
    outreach.permalink = permalink
    outreach.sent_at = utcnow()
    outreach.next_attempt_at = None
    outreach.claimed_at = None
    outreach.last_error = permalink_error
    ticket = tickets.get(session, outreach.ticket_id)
    assert ticket is not None
    actor = Actor(outreach.requested_by, outreach.requested_by_id)
    tickets.record(session, ticket, actor=actor, action="outreach_sent", field="slack_ts", new=ts)
    _apply_reached_out(session, desk, ticket, outreach, actor)


def _apply_reached_out(
    session: Session, desk: Desk, ticket: Ticket, outreach: OutreachRequest, actor: Actor
) -> None:
    """Apply the seed's macro with the Slack link; a ticket that cannot take it gets a note instead."""
    variables = {
        "expert": outreach.expert or "",
        "slack_channel": outreach.channel,
        "slack_permalink": outreach.permalink or "",
    }
    macro = desk.macros.get(REACHED_OUT_MACRO)
    try:
        if macro is None:
            raise MacroError(f"there is no macro named {REACHED_OUT_MACRO!r}")
        apply_macro(session, ticket, macro, actor=actor, variables=variables)
    except (MacroError, tickets.TicketError) as exc:
        tickets.add_note(
            session,
            ticket,
            f"Asked in {outreach.channel}: {outreach.permalink or outreach.ts}. ({exc})",
            actor=actor,
        )


@dataclass
class QueueReport:
    """What one pass over the queue did."""

    sent: list[int] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return f"outreach: {len(self.sent)} sent, {len(self.queued)} still queued, {len(self.failed)} failed"


def retry_due(desk: Desk, client_factory: ClientFactory, *, now: datetime | None = None) -> QueueReport:
    """Make one attempt at every queued request that is due."""
    moment = now or utcnow()
    report = QueueReport()
    with desk.sessions() as session:
        due = service.due_requests(session, moment)
    if not due:
        return report
    client = client_factory()
    for outreach_id in due:
        outcome = deliver(desk, outreach_id, client, now=moment)
        if outcome == "sent":
            report.sent.append(outreach_id)
        elif outcome == "queued":
            report.queued.append(outreach_id)
        elif outcome == "failed":
            report.failed.append(outreach_id)
    return report


@dataclass
class NudgeReport:
    reminders: list[int] = field(default_factory=list)
    escalations: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"follow-ups: {len(self.reminders)} reminders, {len(self.escalations)} escalations posted, "
            f"{len(self.waiting)} waiting for Slack"
        )


def send_follow_ups(desk: Desk, client_factory: ClientFactory, *, now: datetime | None = None) -> NudgeReport:
    """Queue the reminders and escalations that are due, then post every queued one in its thread."""
    moment = now or utcnow()
    settings = desk.settings.outreach
    with transaction(desk.sessions) as session:
        for kind, hours in (
            ("reminder", settings.reminder_after_hours),
            ("escalation", settings.escalate_after_hours),
        ):
            for outreach in service.waiting_for_expert(session, moment, timedelta(hours=hours)):
                service.add_nudge(session, outreach, kind, _nudge_text(session, desk, outreach, kind))
        pending = service.queued_nudges(session, moment)
    report = NudgeReport()
    if not pending:
        return report
    client = client_factory()
    for nudge_id in pending:
        outcome = _deliver_nudge(desk, nudge_id, client, moment)
        if outcome == "reminder":
            report.reminders.append(nudge_id)
        elif outcome == "escalation":
            report.escalations.append(nudge_id)
        elif outcome != "busy":
            report.waiting.append(nudge_id)
    return report


def _nudge_text(session: Session, desk: Desk, outreach: OutreachRequest, kind: str) -> str:
    expert = service.expert_mention(outreach.expert)
    hours = desk.settings.outreach
    if kind == "reminder":
        return (
            f"{expert} a friendly reminder: this question is still waiting for an answer after "
            f"{hours.reminder_after_hours:g} hours. If you can't answer, could you point us to someone "
            "who can?"
        )
    ticket = session.get(Ticket, outreach.ticket_id)
    people = service.escalation_people(session, ticket) if ticket is not None else []
    if people:
        # People in the directory with a Slack id are pinged; the others are named.
        known = experts.people_by_names(session, [name for name, _ in people])
        names = ", ".join(
            f"{_ping(known.get(name)) or service.slack_escape(name)} ({role})" for name, role in people
        )
        who = f"Escalating to the product group's leads: {names}."
    else:
        who = "Nobody on file leads this ticket's group; could someone here route it?"
    return (
        f"{who} This question has had no expert answer for {hours.escalate_after_hours:g} hours. "
        "Could you answer it or name the right expert?"
    )


def _ping(person: Person | None) -> str | None:
    return service.expert_mention(person.slack_user_id) if person and person.slack_user_id else None


def _deliver_nudge(desk: Desk, nudge_id: int, client: SlackClient, moment: datetime) -> str:
    with transaction(desk.sessions) as session:
        if not service.claim(session, OutreachNudge, nudge_id, moment):
            return "busy"
        nudge = session.get(OutreachNudge, nudge_id)
        assert nudge is not None
        outreach = session.get(OutreachRequest, nudge.outreach_id)
        assert outreach is not None and outreach.ts is not None and outreach.channel_id is not None
        session.expunge(nudge)
        channel_id, thread_ts = outreach.channel_id, outreach.ts
    try:
        _, ts = _post_once(
            client,
            channel_id,
            channel_id,
            nudge.text,
            _nudge_mark(nudge),
            first_attempt=nudge.attempts == 1,
            oldest=thread_ts,
            thread_ts=thread_ts,
        )
    except SlackError as exc:
        with transaction(desk.sessions) as session:
            row = session.get(OutreachNudge, nudge_id)
            assert row is not None
            row.status = "queued" if exc.retryable else "failed"
            row.claimed_at = None
            row.last_error = str(exc)[:2000]
        return "waiting"
    with transaction(desk.sessions) as session:
        row = session.get(OutreachNudge, nudge_id)
        outreach = session.get(OutreachRequest, nudge.outreach_id)
        assert row is not None and outreach is not None
        row.status, row.ts, row.sent_at, row.claimed_at, row.last_error = "sent", ts, utcnow(), None, None
        ticket = tickets.get(session, outreach.ticket_id)
        assert ticket is not None
        label = "Reminder" if row.kind == "reminder" else "Escalation"
        tickets.add_note(
            session,
            ticket,
            f"{label} posted in the Slack thread of {outreach.channel}: {row.text}",
            actor=SYSTEM,
        )
        tickets.record(session, ticket, actor=SYSTEM, action=f"outreach_{row.kind}", new=ts)
        return row.kind
