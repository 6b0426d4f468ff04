"""Indexes the metrics queries need on other features' tables (migration 0005) and the per-ticket facts
(migration 0007).

Each metric reads one time range of one table; these indexes turn that into a range scan that also holds
the grouped columns, so a year of a million tickets is read from the index alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from communitydesk.db.base import Base, UTCDateTime
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
# A ticket's first response (milestones.first_response_condition, written out with the same literals so
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


class TicketFacts(Base):
    """One row per ticket: the moments the per-ticket metrics need, kept as they happen (fact_refresh).

    Written only by `metrics.fact_refresh.refresh` (from the ticket, its audit trail, notes and links), so a
    row is always what a rebuild from the trail would give; the monthly series then reads a year as an
    index range instead of a look-up per ticket.
    """

    __tablename__ = "ticket_facts"
    __table_args__ = (
        # per month, first-response durations in order: counts and percentiles from the index alone
        Index("ix_ticket_facts_created_month_response", "created_month", "first_response_seconds"),
        Index("ix_ticket_facts_created_response", "created_at", "first_response_seconds"),
        Index("ix_ticket_facts_solved", "solved_at", "solved_now", "has_docs_link"),
        Index("ix_ticket_facts_first_answer", "first_answer_at", "expert_answer_seconds"),
        Index("ix_ticket_facts_first_answer_month", "first_answer_month", "expert_answer_seconds"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_month: Mapped[int] = mapped_column(Integer)  # YYYYMM of created_at, UTC
    # from creation to the first response (service.first_response_condition)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    solved_now: Mapped[bool] = mapped_column(Boolean)  # status is solved or closed
    # a note contains, or a link starts with, one of `ticket_facts_docs_bases` (case-insensitive)
    has_docs_link: Mapped[bool] = mapped_column(Boolean)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first `Expert Responded`
    first_answer_month: Mapped[int | None] = mapped_column(Integer)  # YYYYMM of first_answer_at, UTC
    # from the first `Reached out to expert` at or before that answer to it
    expert_answer_seconds: Mapped[float | None] = mapped_column(Float)


class DocsUrlBase(Base):
    """The docs URL prefixes `ticket_facts.has_docs_link` was computed with (`desk metrics rebuild-facts`)."""

    __tablename__ = "ticket_facts_docs_bases"

    base: Mapped[str] = mapped_column(String(500), primary_key=True)


class OutreachMonth(Base):
    """One row per ticket and calendar month (UTC) with outreach or an expert's answer (fact_refresh).

    `answered`: an `Expert Responded` at or after the month's first `Reached out to expert`, at any time
    (so a later answer updates an earlier month's row, as the live definition does).
    """

    __tablename__ = "ticket_outreach_months"
    __table_args__ = (
        Index("ix_ticket_outreach_months_month", "month", "reached_out", "answered", "responded"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)  # YYYYMM, UTC
    reached_out: Mapped[bool] = mapped_column(Boolean)  # `Reached out to expert` applied in the month
    answered: Mapped[bool] = mapped_column(Boolean)
    responded: Mapped[bool] = mapped_column(Boolean)  # `Expert Responded` applied in the month


class MonthCount(Base):
    """How many tickets each month counts per measure, kept with the facts (month_counts): the monthly
    series reads a few hundred rows instead of a year of tickets.

    Measures: `created` and `solved` / `solved_docs` (solved now, by the month of solved_at; with a docs
    link) with bucket 0; `first_response` (by created month) and `expert_answer` (by the month of the first
    answer) by duration bucket (`month_counts.duration_bucket`: the number of digits and the first two
    digits of the whole seconds, so buckets are in the order of durations), which lets a percentile be
    found in the bucket that holds its rank and read from the index there; `reached_out`, `answered` and
    `responded` (the flags of `ticket_outreach_months`) with bucket 0.

    Counted per ticket channel, and over all channels under `month_counts.ALL_CHANNELS` (migration 0009):
    a series filtered by channel alone reads its channel's rows, an unfiltered one the totals. A ticket's
    channel is set when it is created and never changes, so a refresh finds the channel a deleted row was
    counted under on the ticket itself.
    """

    __tablename__ = "metrics_month_counts"

    month: Mapped[int] = mapped_column(Integer, primary_key=True)  # YYYYMM, UTC
    measure: Mapped[str] = mapped_column(String(20), primary_key=True)
    # tickets.channel, or ALL_CHANNELS; before the bucket, so one channel's buckets are one index range
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer)
