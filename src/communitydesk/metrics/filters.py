"""Metrics filters: what a user asks for (channel, stage, group, expert, tag) as conditions on tickets."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import aliased

from communitydesk.metrics.schemas import MetricsFilter
from communitydesk.tickets.models import AuditEvent, Ticket, TicketTag
from communitydesk.tickets.schemas import CHANNELS
from communitydesk.tickets.service import normalize_tag

# How notes name the expert: the `Reached out to expert` macro's note and the expert-response note.
_EXPERT_NOTE_PATTERNS = (
    "Reached out to {name} in ",
    "Reached out to {name} about ",
    "Expert response by {name} (",
    "Expert response by {name}.",
)


def make_filter(
    *, channel: str = "", stage: str = "", group: str = "", expert: str = "", tag: str = ""
) -> MetricsFilter:
    """Return a filter from user input (blank is any); ValueError for an unknown channel or a bad tag."""
    channel, stage, group, expert, tag = (value.strip() for value in (channel, stage, group, expert, tag))
    if channel and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return MetricsFilter(
        channel=channel or None,
        stage=stage[:100] or None,
        group=group[:100] or None,
        expert=expert[:200] or None,
        tag=normalize_tag(tag) if tag else None,
    )


def ticket_conditions(flt: MetricsFilter) -> list[ColumnElement[bool]]:
    """Return the conditions on `Ticket` that a filter sets."""
    conditions: list[ColumnElement[bool]] = []
    if flt.channel:
        conditions.append(Ticket.channel == flt.channel)
    if flt.stage:
        conditions.append(Ticket.stage == flt.stage)
    if flt.group:
        conditions.append(Ticket.group_name == flt.group)
    if flt.tag:
        tagged = select(TicketTag.ticket_id).where(TicketTag.name == normalize_tag(flt.tag))
        conditions.append(Ticket.id.in_(tagged))
    if flt.expert:
        note = aliased(AuditEvent)
        name = flt.expert.strip()
        names_expert = or_(
            *(
                note.new_value.istartswith(pattern.format(name=name), autoescape=True)
                for pattern in _EXPERT_NOTE_PATTERNS
            )
        )
        conditions.append(
            exists().where(note.ticket_id == Ticket.id, note.action == "note_added", names_expert)
        )
    return conditions


def matching_tickets(flt: MetricsFilter) -> Select[int]:
    """Return the ids of the tickets a filter keeps, as an uncorrelated subquery (read once per query)."""
    return select(Ticket.id).where(*ticket_conditions(flt))
