"""The ticket queue: newest first, filtered by status, channel, tag, assignee and text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response

from communitydesk.api.deps import DbSession
from communitydesk.tickets import service as tickets
from communitydesk.tickets.schemas import CHANNELS, STATUSES
from communitydesk.users import service as users
from communitydesk.users.models import User
from communitydesk.web.auth import CurrentUser
from communitydesk.web.errors import PageRoute
from communitydesk.web.params import parse_id
from communitydesk.web.present import CHANNEL_LABELS
from communitydesk.web.templating import render, render_fragment

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 50
RESULTS_ID = "queue-results"


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters as they appear in the URL."""

    status: str = ""
    channel: str = ""
    tag: str = ""
    assignee: str = ""
    q: str = ""

    def to_filter(self, user: User) -> tickets.TicketFilter:
        """Return the service filter; raises TicketError for a malformed tag or assignee."""
        assignee_id = user.id if self.assignee == "me" else parse_id(self.assignee)
        if self.assignee and assignee_id is None:
            raise tickets.TicketError(f"unknown assignee {self.assignee!r}")
        return tickets.TicketFilter(
            status=self.status or None,
            channel=self.channel or None,
            tag=tickets.normalize_tag(self.tag) if self.tag.strip() else None,
            assignee_id=assignee_id,
            text=self.q.strip() or None,
        )

    def url(self, **changes: str | int) -> str:
        params = {key: value for key, value in {**asdict(self), **changes}.items() if value}
        return "/tickets" + (f"?{urlencode(params)}" if params else "")


def queue_query(
    status: str = "", channel: str = "", tag: str = "", assignee: str = "", q: str = ""
) -> QueueQuery:
    return QueueQuery(
        status=status[:20], channel=channel[:20], tag=tag[:100], assignee=assignee[:20], q=q[:200]
    )


@router.get("/")
@router.get("/tickets")
def ticket_queue(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    query: Annotated[QueueQuery, Depends(queue_query)],
    before: str = "",
) -> Response:
    """Show a page of tickets; an htmx request for the results gets only the results."""
    before_id = parse_id(before)
    error = None
    try:
        flt = query.to_filter(user)
        page = tickets.get_page(db, flt, before_id=before_id, limit=PAGE_SIZE)
        total = tickets.count(db, flt)
    except tickets.TicketError as exc:
        page, total, error = [], 0, str(exc)
    people = users.get_all(db)
    context = {
        "query": query,
        "tickets": page,
        "total": total,
        "error": error,
        "before": before_id,
        "older_url": query.url(before=page[-1].id) if len(page) == PAGE_SIZE else None,
        "newest_url": query.url() if before_id else None,
        "user_names": {person.id: person.name for person in people},
    }
    headers = {"Vary": "HX-Request, HX-Target"}
    wants_results = request.headers.get("HX-Target") == RESULTS_ID
    if wants_results and not request.headers.get("HX-History-Restore-Request"):
        return render_fragment(request, "_queue_results.html", context, headers=headers)
    context.update(
        statuses=STATUSES,
        channels=[(value, CHANNEL_LABELS.get(value, value)) for value in CHANNELS],
        people=[person for person in people if person.is_active],
        tag_names=[name for name, _ in tickets.tag_counts(db)][:500],
        results_id=RESULTS_ID,
    )
    return render(request, "queue.html", context, headers=headers)
