"""Per-ticket facts for the metrics, kept up to date in the transaction that changes the ticket.

`ticket_facts` holds one row per ticket, `ticket_outreach_months` one per ticket and month with outreach,
`metrics_month_counts` what each month counts (models.MonthCount, `month_counts`).

Every change to a ticket leaves an audit event through `tickets.service.record` (notes, links, macros,
status and field changes, public replies), which calls `changed`: the ticket's rows are recomputed from
the ticket, its audit trail, notes and links when the session next flushes, in the same transaction.
Intake writes its new tickets in bulk (`mentions.bulk_placement`) and calls `refresh` for them itself.
The rows come from the same SQL (`fact_rows`) that `fact_rebuild.rebuild` runs over every ticket (the
migration's backfill and `desk metrics rebuild-facts`), so they are always what a rebuild would give,
which the tests check after a varied history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, delete, event, select
from sqlalchemy.orm import Session

from communitydesk.metrics.fact_rows import insert_facts, insert_outreach_months
from communitydesk.metrics.models import OutreachMonth, TicketFacts
from communitydesk.metrics.month_counts import (
    COUNTED,
    OUTREACH_COUNTED,
    CountKey,
    add_counts,
    counts_of,
    outreach_counts_of,
)
from communitydesk.tickets.models import Ticket

_PENDING = "ticket_facts_pending"
_CHUNK = 500  # ticket ids per refresh statement (bound parameters stay well under SQLite's limit)


def refresh(connection: Connection | Session, ticket_ids: Collection[int]) -> None:
    """Recompute the facts of these tickets from their current state and trail, and the month counts.

    The counts change by what the deleted rows counted and the inserted rows count (facts and outreach
    months), both as returned by the statements themselves, so concurrent refreshes of one ticket cannot
    count a row twice. Both go under the ticket's channel, the same before and after: it never changes.
    """
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        channels: dict[int, str] = {
            ticket_id: channel
            for ticket_id, channel in connection.execute(
                select(Ticket.id, Ticket.channel).where(Ticket.id.in_(chunk))
            )
        }
        changes: Counter[CountKey] = Counter()
        # Each table's old rows are uncounted and its new ones counted: the counts move by the difference.
        for table, insert_rows, counted, counts in (
            (TicketFacts, insert_facts, COUNTED, counts_of),
            (OutreachMonth, insert_outreach_months, OUTREACH_COUNTED, outreach_counts_of),
        ):
            removed = connection.execute(delete(table).where(table.ticket_id.in_(chunk)).returning(*counted))
            for row in removed:
                changes.subtract(counts(row, channels[row[0]]))
            for row in connection.execute(insert_rows(chunk).returning(*counted)):
                changes.update(counts(row, channels[row[0]]))
        add_counts(connection, changes)


def changed(session: Session, ticket_id: int) -> None:
    """Note that a ticket changed: its facts are recomputed when the session next flushes."""
    session.info.setdefault(_PENDING, set()).add(ticket_id)


def forget_changed(session: Session) -> None:
    """Drop the tickets noted as changed, whose facts need no refresh (rolled back, or all rebuilt)."""
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_flush")
def _refresh_changed(session: Session, _context: Any) -> None:
    """Recompute the facts of the tickets changed since the last flush, in the same transaction."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh(session.connection(), pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changed(session: Session, _previous: Any) -> None:
    forget_changed(session)
