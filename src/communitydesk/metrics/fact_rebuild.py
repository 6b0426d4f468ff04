"""Rebuild every ticket's facts and the month counts from the audit trail, and the docs URL bases they use.

Run by migration 0007's backfill (`communitydesk.upgrades`) and `desk metrics rebuild-facts`; between
rebuilds `fact_refresh` keeps the rows current with the same SQL (`fact_rows`). Migration 0009's backfill
recomputes the month counts alone (`rebuild_month_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from communitydesk.metrics.fact_refresh import forget_changed
from communitydesk.metrics.fact_rows import insert_facts, insert_outreach_months
from communitydesk.metrics.models import DocsUrlBase, MonthCount, OutreachMonth, TicketFacts
from communitydesk.metrics.month_counts import all_month_counts


def rebuild(session: Session, docs_url_bases: Sequence[str] | None = None) -> int:
    """Recompute every ticket's facts from the trail; with `docs_url_bases`, store those prefixes first.

    Returns the number of tickets. One statement per table: fast enough for the migration's backfill.
    """
    session.flush()
    if docs_url_bases is not None:
        session.execute(delete(DocsUrlBase))
        for base in dict.fromkeys(base.strip().lower() for base in docs_url_bases if base.strip()):
            session.add(DocsUrlBase(base=base))
        session.flush()
    forget_changed(session)
    session.execute(delete(TicketFacts))
    session.execute(insert_facts(None))
    session.execute(delete(OutreachMonth))
    session.execute(insert_outreach_months(None))
    rebuild_month_counts(session)
    return session.scalar(select(func.count()).select_from(TicketFacts)) or 0


def rebuild_month_counts(session: Session) -> None:
    """Recompute `metrics_month_counts` from the facts, the outreach months and the tickets' channels."""
    session.execute(delete(MonthCount))
    session.execute(
        insert(MonthCount).from_select(
            ["month", "measure", "bucket", "channel", "tickets"], all_month_counts()
        )
    )


def stored_docs_url_bases(session: Session) -> list[str]:
    """Return the docs URL prefixes `has_docs_link` holds, sorted."""
    return sorted(session.scalars(select(DocsUrlBase.base)))
