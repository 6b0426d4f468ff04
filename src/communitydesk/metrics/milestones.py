"""The audit-trail events the metrics measure from: first responses, outreach to experts, experts' answers.

The per-ticket facts (`fact_rows`) and the outreach metrics (`outreach`) both read the trail through
these, so they agree on what counts.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, literal_column, or_

from communitydesk.tickets.models import AuditEvent

REACHED_OUT = "Reached out to expert"
# the macro outreach.responses applies (named here: tickets.service imports the facts, which import this
# module, so it cannot import the outreach package, which imports tickets.service)
EXPERT_RESPONDED = "Expert Responded"
MACRO_APPLIED = "macro_applied"
# Audit actions that are a public reply to the requester (replies.service: interim replies, experts'
# drafts posted from the company account).
PUBLIC_REPLY_ACTIONS: tuple[str, ...] = ("public_reply",)


def first_response_condition(event: type[AuditEvent]) -> ColumnElement[bool]:
    """Return what counts as a first response: a person's macro, solve or public reply.

    The constants are literals, not parameters, and the terms are in the order of the partial index
    `ix_audit_events_responses`, so the database can use it; an action added to PUBLIC_REPLY_ACTIONS
    needs that index's condition (metrics.models.RESPONSE_EVENTS_WHERE) widened in a migration.
    """
    kinds = [
        event.action == literal_column("'macro_applied'"),
        and_(event.action == literal_column("'status'"), event.new_value == literal_column("'solved'")),
        *(event.action == literal_column(f"'{action}'") for action in PUBLIC_REPLY_ACTIONS),
    ]
    return and_(event.actor_id.is_not(None), or_(*kinds))


def macro_event(event: type[AuditEvent], macro: str) -> ColumnElement[bool]:
    return and_(event.action == MACRO_APPLIED, event.macro == macro)
