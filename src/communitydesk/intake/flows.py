"""Poll a source page by page: store each mention once, keep bad items, and move the cursor with them.

Each page is one transaction: its mentions, its rejects, the scope's new cursor and the run's counts are
committed together, so a run killed at any moment resumes exactly where the last committed page ended.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from communitydesk.db.base import utcnow
from communitydesk.db.engine import transaction
from communitydesk.experts.answers import ExpertWatch
from communitydesk.intake import service as intake
from communitydesk.intake.models import IntakeRun
from communitydesk.intake.watch import WatchRules
from communitydesk.integrations.base import (
    IntegrationError,
    MalformedItem,
    Metered,
    Page,
    RawItem,
    Source,
    TagsTickets,
)
from communitydesk.mentions import service as mentions
from communitydesk.mentions.intake import describe_validation_error
from communitydesk.mentions.schemas import MentionIn
from communitydesk.mentions.storing import INTAKE, store_mention, store_mentions
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.service import TicketError

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 50
_ID_KEYS = ("objectID", "id", "name", "external_id")


@dataclass
class PollReport:
    """What one poll of a source did."""

    source: str
    pages: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    error: str | None = None
    run_id: int | None = None

    def add(self, other: PollReport) -> None:
        """Add another report's counts to this one."""
        for name in ("pages", "fetched", "new", "duplicate", "rejected", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors[: max(0, MAX_ERRORS_KEPT - len(self.errors))])
        self.error = self.error or other.error

    def summary(self) -> str:
        """Return the one-line summary the CLI and logs print."""
        return (
            f"{self.source}: fetched {self.fetched}, new {self.new}, duplicate {self.duplicate}, "
            f"rejected {self.rejected}, skipped {self.skipped} ({self.pages} pages)"
        )


@dataclass(frozen=True)
class PageDone:
    """Progress after one committed page."""

    scope: str
    page: PollReport
    total: PollReport
    done: bool


ProgressHook = Callable[[PageDone], None]


def _location(source: Source, scope: str, raw: object, index: int) -> str:
    # Listing envelopes (Reddit's {"kind", "data"}) keep the id one level down.
    for candidate in (raw, raw.get("data") if isinstance(raw, dict) else None):
        if isinstance(candidate, dict):
            for key in _ID_KEYS:
                if candidate.get(key) not in (None, ""):
                    return f"{source.name}:{scope}:{key}={candidate[key]}"
    return f"{source.name}:{scope}:item {index}"


def _normalize(source: Source, raw: RawItem) -> tuple[MentionIn | None, str | None]:
    """Return (mention, None), (None, None) for a skipped item, or (None, reason) for a malformed one."""
    try:
        return source.normalize(raw), None
    except ValidationError as exc:
        return None, describe_validation_error(exc)
    except MalformedItem as exc:
        return None, str(exc) or "malformed item"
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A provider payload that breaks the documented shape: keep it, never stop the run.
        return None, f"unexpected shape: {exc.__class__.__name__}: {exc}"


def _store_page(
    session: Session,
    desk: Desk,
    source: Source,
    scope: str,
    page: Page,
    watch: WatchRules | None,
) -> PollReport:
    counts = PollReport(source=source.name, pages=1, fetched=len(page.items), skipped=page.skipped)
    kept: list[tuple[int, RawItem, MentionIn]] = []
    for index, raw in enumerate(page.items):
        mention_in, reason = _normalize(source, raw)
        if reason is not None:
            _reject(session, source, scope, raw, index, reason, counts)
        elif mention_in is None or (watch is not None and watch.verdict(mention_in) is not None):
            counts.skipped += 1
        else:
            kept.append((index, raw, mention_in))
    for (_index, raw, mention_in), is_new in zip(
        kept, _store(session, desk, source, scope, kept, counts), strict=True
    ):
        if is_new is None:
            continue
        if is_new:
            counts.new += 1
        else:
            counts.duplicate += 1
        if isinstance(source, TagsTickets):
            # Also for items seen before: a forum answer accepted later tags the ticket then.
            _tag_ticket(session, source, raw, mention_in)
    return counts


def _store(
    session: Session,
    desk: Desk,
    source: Source,
    scope: str,
    kept: list[tuple[int, RawItem, MentionIn]],
    counts: PollReport,
) -> list[bool | None]:
    """Store a page's mentions in one batch; if the database refuses it, find and reject the culprit."""
    company_names = desk.settings.company_names
    watch = ExpertWatch.of(desk.settings, desk.macros)
    try:
        return list(
            store_mentions(session, [m for _, _, m in kept], company_names=company_names, watch=watch)
        )
    except DBAPIError:
        logger.warning("%s: the database refused a page of %s; storing it item by item", source.name, scope)
    results: list[bool | None] = []
    for index, raw, mention_in in kept:
        try:
            with session.begin_nested():
                results.append(store_mention(session, mention_in, company_names=company_names, watch=watch))
        except DBAPIError as exc:
            reason = f"the database refused it: {str(exc.orig).strip().splitlines()[0]}"
            _reject(session, source, scope, raw, index, reason, counts)
            results.append(None)
    return results


def _reject(
    session: Session, source: Source, scope: str, raw: RawItem, index: int, reason: str, counts: PollReport
) -> None:
    location = _location(source, scope, raw, index)
    payload = json.dumps(raw, default=str, ensure_ascii=False)
    mentions.add_reject(session, source=source.name, location=location, reason=reason, payload=payload)
    counts.rejected += 1
    counts.errors.append(f"{location}: {reason}")


def _tag_ticket(session: Session, source: TagsTickets, raw: RawItem, mention_in: MentionIn) -> None:
    tags = list(source.ticket_tags(raw))
    mention = mentions.get_by_external_id(
        session, source=mention_in.source, external_id=mention_in.external_id
    )
    if not tags or mention is None or mention.ticket_id is None:
        return
    ticket = tickets.get(session, mention.ticket_id)
    if ticket is None:
        return
    valid = []
    for tag in tags:
        try:
            valid.append(tickets.normalize_tag(tag))
        except TicketError:
            logger.warning("%s: tag %r of %s is not a valid desk tag", source, tag, mention_in.external_id)
    tickets.add_tags(session, ticket, valid, actor=INTAKE)


def _update_run(session: Session, run_id: int, counts: PollReport) -> None:
    run = session.get(IntakeRun, run_id)
    if run is None:
        return
    for name in ("pages", "fetched", "new", "duplicate", "rejected", "skipped"):
        setattr(run, name, getattr(run, name) + getattr(counts, name))


def _budget_scope(source: Metered) -> str:
    return f"budget:{source.budget_period()}"


def _refresh_budget(session: Session, source: Source) -> None:
    if isinstance(source, Metered):
        used = int(intake.get_cursor(session, source=source.name, scope=_budget_scope(source)) or 0)
        source.set_budget_remaining(source.budget_limit - used)


def _spend_budget(session: Session, source: Source, cost: int) -> None:
    if isinstance(source, Metered) and cost:
        scope = _budget_scope(source)
        used = int(intake.get_cursor(session, source=source.name, scope=scope) or 0)
        intake.save_cursor(session, source=source.name, scope=scope, value=str(used + cost))


def poll_scope(
    desk: Desk,
    source: Source,
    scope: str,
    *,
    run_id: int,
    watch: WatchRules | None = None,
    since: datetime | None = None,
    max_pages: int | None = None,
    on_page: ProgressHook | None = None,
    total: PollReport | None = None,
) -> PollReport:
    """Poll one scope of a source until it is done (or max_pages); return the counts."""
    report = PollReport(source=source.name)
    total = total if total is not None else report
    with desk.sessions() as session:
        stored = intake.get_cursor(session, source=source.name, scope=scope)
        _refresh_budget(session, source)
    cursor = source.initial_cursor(scope, since) if since is not None or stored is None else stored
    while max_pages is None or report.pages < max_pages:
        page = source.fetch(scope, cursor)
        with transaction(desk.sessions) as session:
            counts = _store_page(session, desk, source, scope, page, watch)
            if page.next_cursor is not None:
                intake.save_cursor(session, source=source.name, scope=scope, value=page.next_cursor)
            _spend_budget(session, source, page.cost)
            _update_run(session, run_id, counts)
            _refresh_budget(session, source)
        report.add(counts)
        if total is not report:
            total.add(counts)
        if on_page is not None:
            on_page(PageDone(scope=scope, page=counts, total=total, done=page.done))
        if page.done:
            break
        cursor = page.next_cursor if page.next_cursor is not None else cursor
    return report


def poll_source(
    desk: Desk,
    source: Source,
    *,
    watch: WatchRules | None = None,
    since: datetime | None = None,
    scopes: Sequence[str] | None = None,
    max_pages: int | None = None,
    trigger: str = "cli",
    on_page: ProgressHook | None = None,
) -> PollReport:
    """Poll every scope of a source; a provider error ends the run with the error in the report."""
    with transaction(desk.sessions) as session:
        run_id = intake.start_run(session, source=source.name, trigger=trigger).id
    report = PollReport(source=source.name, run_id=run_id)
    status = "ok"
    try:
        for scope in scopes if scopes is not None else source.scopes():
            poll_scope(
                desk,
                source,
                scope,
                run_id=run_id,
                watch=watch,
                since=since,
                max_pages=max_pages,
                on_page=on_page,
                total=report,
            )
    except IntegrationError as exc:
        status, report.error = "failed", str(exc)
        logger.warning("%s", report.error)
    except BaseException as exc:
        _finish_run(desk, run_id, "failed", f"{exc.__class__.__name__}: {exc}")
        raise
    _finish_run(desk, run_id, status, report.error)
    return report


def _finish_run(desk: Desk, run_id: int, status: str, error: str | None) -> None:
    with transaction(desk.sessions) as session:
        run = session.get(IntakeRun, run_id)
        if run is not None:
            run.status = status
            run.error = error
            run.finished_at = utcnow()


def ingest_items(
    desk: Desk,
    source: Source,
    items: list[RawItem],
    *,
    scope: str,
    watch: WatchRules | None = None,
) -> PollReport:
    """Store pushed items (a webhook's payload) in one transaction, like one polled page without a cursor."""
    page = Page(items=items, next_cursor=None, done=True)
    with transaction(desk.sessions) as session:
        return _store_page(session, desk, source, scope, page, watch)
