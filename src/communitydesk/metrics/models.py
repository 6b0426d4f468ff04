"""Indexes the metrics queries need on other features' tables (migration 0005).

Each metric reads one time range of one table; these indexes turn that into a range scan that also holds
the grouped columns, so a year of a million tickets is read from the index alone.
"""

from __future__ import annotations

from sqlalchemy import Index, text

from communitydesk.tickets.models import AuditEvent, Ticket, TicketLink, TicketTag

# Tag use in a window, grouped by tag (rising tags).
TAG_USE = Index("ix_ticket_tags_created_name", TicketTag.created_at, TicketTag.name)
# Macro applications by macro and time (outreach, expert responses); the rest of the trail has no macro.
MACRO_EVENTS = Index(
    "ix_audit_events_macro_created",
    AuditEvent.macro,
    AuditEvent.created_at,
    AuditEvent.action,
    AuditEvent.ticket_id,
)
# A ticket's macro applications (was it answered after the outreach, when was it first reached out to):
# partial, because most of the trail has no macro.
TICKET_MACROS = Index(
    "ix_audit_events_ticket_macro",
    AuditEvent.ticket_id,
    AuditEvent.macro,
    AuditEvent.action,
    AuditEvent.created_at,
    sqlite_where=AuditEvent.macro.is_not(None),
    postgresql_where=AuditEvent.macro.is_not(None),
)
# A ticket's first response (service.first_response_condition, written out with the same literals so
# SQLite and PostgreSQL can prove a query only needs this index): one seek per ticket.
RESPONSE_EVENTS_WHERE = (
    "actor_id IS NOT NULL AND (action = 'macro_applied' OR (action = 'status' AND new_value = 'solved')"
    " OR action = 'public_reply')"
)
RESPONSES = Index(  # covering: the short new_value of these rows comes along
    "ix_audit_events_responses",
    AuditEvent.ticket_id,
    AuditEvent.created_at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.new_value,
    sqlite_where=text(RESPONSE_EVENTS_WHERE),
    postgresql_where=text(RESPONSE_EVENTS_WHERE),
)
# Answers by the time they were solved, with their status (docs-first).
SOLVED = Index("ix_tickets_solved_at_status", Ticket.solved_at, Ticket.status, Ticket.id)
# Links of a kind by time (docs gaps filed).
LINKS_BY_KIND = Index("ix_ticket_links_kind_created", TicketLink.kind, TicketLink.created_at)
