"""The SQL that computes the per-ticket facts from the tickets, their audit trail, notes and links.

`ticket_facts` and `ticket_outreach_months` rows are only ever written by these INSERT ... SELECTs, for
some tickets (`fact_refresh`, as tickets change) or for all of them (`fact_rebuild`), so a kept row is
always what a rebuild would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, case, func, insert, or_, select
from sqlalchemy.orm import aliased

from communitydesk.metrics.milestones import (
    EXPERT_RESPONDED,
    MACRO_APPLIED,
    REACHED_OUT,
    first_response_condition,
    macro_event,
)
from communitydesk.metrics.models import DocsUrlBase, OutreachMonth, TicketFacts
from communitydesk.metrics.sql import month_key, seconds_between, text_position
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink

_OUTREACH_COLUMNS = ["ticket_id", "month", "reached_out", "answered", "responded"]
_COLUMNS = [
    "ticket_id",
    "created_at",
    "created_month",
    "first_response_seconds",
    "solved_at",
    "solved_now",
    "has_docs_link",
    "first_answer_at",
    "first_answer_month",
    "expert_answer_seconds",
]


def insert_facts(ticket_ids: Sequence[int] | None) -> Insert:
    """Return an INSERT of the `ticket_facts` rows of some tickets (all when None)."""
    return insert(TicketFacts).from_select(_COLUMNS, _facts_rows(ticket_ids))


def insert_outreach_months(ticket_ids: Sequence[int] | None) -> Insert:
    """Return an INSERT of the `ticket_outreach_months` rows of some tickets (all when None)."""
    return insert(OutreachMonth).from_select(_OUTREACH_COLUMNS, _outreach_rows(ticket_ids))


def _has_docs_link() -> ColumnElement[bool]:
    """A note contains, or a link starts with, a stored docs URL base (case-insensitive, no LIKE escaping)."""
    base = func.lower(DocsUrlBase.base)
    # correlated to the ticket two levels up, through the bases' subquery
    in_note = (
        select(Note.id)
        .where(Note.ticket_id == Ticket.id, text_position(func.lower(Note.body), base) > 0)
        .correlate(Ticket, DocsUrlBase)
        .exists()
    )
    in_link = (
        select(TicketLink.id)
        .where(
            TicketLink.ticket_id == Ticket.id,
            func.substr(func.lower(TicketLink.target_url), 1, func.length(base)) == base,
        )
        .correlate(Ticket, DocsUrlBase)
        .exists()
    )
    return or_(in_note, in_link)


def _facts_rows(ticket_ids: Sequence[int] | None) -> Any:
    """Return a SELECT of `ticket_facts` rows for some tickets (all when None)."""
    response, answer, reached = aliased(AuditEvent), aliased(AuditEvent), aliased(AuditEvent)
    responded_at = (
        select(func.min(response.created_at))
        .where(response.ticket_id == Ticket.id, first_response_condition(response))
        .scalar_subquery()
    )
    first_answer_at = (  # the first `Expert Responded` in the trail's order
        select(answer.created_at)
        .where(answer.ticket_id == Ticket.id, macro_event(answer, EXPERT_RESPONDED))
        .order_by(answer.id)
        .limit(1)
        .scalar_subquery()
    )
    docs = select(DocsUrlBase.base).where(_has_docs_link()).exists()
    moments = select(
        Ticket.id.label("ticket_id"),
        Ticket.created_at.label("created_at"),
        responded_at.label("responded_at"),
        Ticket.solved_at.label("solved_at"),
        Ticket.status.in_(("solved", "closed")).label("solved_now"),
        docs.label("has_docs_link"),
        first_answer_at.label("first_answer_at"),
    )
    if ticket_ids is not None:
        moments = moments.where(Ticket.id.in_(ticket_ids))
    row = moments.subquery("moments")
    reached_at = (
        select(func.min(reached.created_at))
        .where(
            reached.ticket_id == row.c.ticket_id,
            macro_event(reached, REACHED_OUT),
            reached.created_at <= row.c.first_answer_at,
        )
        .scalar_subquery()
    )
    return select(
        row.c.ticket_id,
        row.c.created_at,
        month_key(row.c.created_at),
        seconds_between(row.c.created_at, row.c.responded_at),
        row.c.solved_at,
        row.c.solved_now,
        row.c.has_docs_link,
        row.c.first_answer_at,
        month_key(row.c.first_answer_at),
        seconds_between(reached_at, row.c.first_answer_at),
    )


def _outreach_rows(ticket_ids: Sequence[int] | None) -> Any:
    """Return a SELECT of `ticket_outreach_months` rows for some tickets (all when None)."""
    event, later = aliased(AuditEvent), aliased(AuditEvent)
    month = month_key(event.created_at)
    per_month = (
        select(
            event.ticket_id.label("ticket_id"),
            month.label("month"),
            func.min(case((event.macro == REACHED_OUT, event.created_at))).label("first_reached_at"),
            func.max(case((event.macro == EXPERT_RESPONDED, 1), else_=0)).label("responded"),
        )
        .where(event.action == MACRO_APPLIED, event.macro.in_((REACHED_OUT, EXPERT_RESPONDED)))
        .group_by(event.ticket_id, month)
    )
    if ticket_ids is not None:
        per_month = per_month.where(event.ticket_id.in_(ticket_ids))
    row = per_month.subquery("per_month")
    answered = (
        select(later.id)
        .where(
            later.ticket_id == row.c.ticket_id,
            macro_event(later, EXPERT_RESPONDED),
            later.created_at >= row.c.first_reached_at,
        )
        .exists()
    )
    return select(
        row.c.ticket_id, row.c.month, row.c.first_reached_at.is_not(None), answered, row.c.responded == 1
    )
