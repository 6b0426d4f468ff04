"""Tag trends: each tag's use in a recent window against the window before, the largest rise first."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import Session

from communitydesk.metrics.filters import matching_tickets
from communitydesk.metrics.schemas import MetricsFilter, TagTrend, TagTrends
from communitydesk.tickets.models import TicketTag


def tag_trends(
    session: Session, as_of: datetime, flt: MetricsFilter, *, days: int = 30, min_volume: int = 1
) -> TagTrends:
    """Compare each tag's use (tags added) in the `days` before `as_of` with the `days` before that.

    Tags used at least `min_volume` times in either window are listed, the largest rise first.
    """
    middle = as_of - timedelta(days=days)
    start = middle - timedelta(days=days)

    def uses(window: str, since: datetime, until: datetime) -> Select[str, str, int]:
        # A plain count per tag and window reads the (name, created_at) index in order, with no sort
        # and no per-row CASE: several times faster than one pass with two conditional sums.
        query: Select[str, str, int] = (
            select(literal(window).label("window"), TicketTag.name, func.count())
            .where(TicketTag.created_at >= since, TicketTag.created_at < until)
            .group_by(TicketTag.name)
        )
        if flt.narrows:
            query = query.where(TicketTag.ticket_id.in_(matching_tickets(flt)))
        return query

    counts: dict[str, dict[str, int]] = {}
    for window, name, count in session.execute(
        union_all(uses("recent", middle, as_of), uses("previous", start, middle))
    ):
        counts.setdefault(name, {})[window] = int(count)
    tags = [
        TagTrend(
            tag=name,
            recent=(recent := used.get("recent", 0)),
            previous=(previous := used.get("previous", 0)),
            delta=recent - previous,
            ratio=round(recent / previous, 4) if previous else None,
        )
        for name, used in counts.items()
        if max(used.values()) >= min_volume
    ]
    tags.sort(key=lambda t: (-t.delta, -t.recent, t.tag))
    return TagTrends(
        as_of=as_of, days=days, min_volume=min_volume, recent_start=middle, previous_start=start, tags=tags
    )
