"""Docs-first answers on the ticket page: the suggestions panel (loaded by htmx after the page), reply
drafts, and docs issues drafted, edited and filed in GitLab.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from communitydesk.api.deps import DbSession, DeskDep, actor_for
from communitydesk.api.docs import DocsIndex
from communitydesk.docs import flows
from communitydesk.docs.drafts import TITLE_MAX, IssueKind, TemplateError
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.gitlab import issues as gitlab_issues
from communitydesk.tickets.service import TicketError
from communitydesk.web.auth import CurrentUser, Editor
from communitydesk.web.csrf import csrf_token
from communitydesk.web.errors import PageRoute
from communitydesk.web.flash import flash
from communitydesk.web.pages.actions import back_to_ticket
from communitydesk.web.pages.ticket import CurrentTicket
from communitydesk.web.templating import render, render_fragment

router = APIRouter(route_class=PageRoute)
UrlField = Annotated[str, Form(max_length=2000)]


@router.get("/tickets/{ticket_id}/docs")
def docs_panel(
    request: Request, user: CurrentUser, ticket: CurrentTicket, db: DbSession, desk: DeskDep, index: DocsIndex
) -> Response:
    """Return the docs suggestions panel of a ticket (an empty state when there is no docs index)."""
    found = flows.suggest_for_ticket(db, ticket, index, desk.settings.docs_first)
    context = {
        "ticket": ticket,
        "found": found,
        "result": found.result,
        "docs_issues": flows.docs_issue_urls(db, ticket),
        "can_edit": user.can_edit,
        "csrf_token": csrf_token(request),
    }
    if request.headers.get("HX-Request"):
        return render_fragment(request, "_docs_panel.html", context)
    return render(request, "ticket_docs.html", context)  # the page's link, for browsers without scripts


@router.get("/tickets/{ticket_id}/docs/issue")
def docs_issue_form(
    request: Request,
    _user: CurrentUser,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    index: DocsIndex,
    kind: IssueKind = "gap",
    url: str | None = None,
) -> Response:
    """Return the editable draft of a docs issue: a gap, or a page that is wrong (`url`)."""
    error, draft = None, None
    try:
        draft = flows.draft_issue(
            db, ticket, kind=kind, index=index, settings=desk.settings.docs_first, docs_url=url
        )
    except (TicketError, TemplateError) as exc:
        error = str(exc)
    context = {
        "ticket": ticket,
        "draft": draft,
        "error": error,
        "filed_url": flows.filed_issue_url(db, ticket, kind, url),
        "title_max": TITLE_MAX,
        "csrf_token": csrf_token(request),
    }
    return render_fragment(request, "_docs_issue_form.html", context)


@router.post("/tickets/{ticket_id}/docs/reply")
def draft_reply(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    index: DocsIndex,
    url: UrlField = "",
    issue_url: UrlField = "",
) -> RedirectResponse:
    """Draft the docs-first reply with a docs link or one of the ticket's docs issues, as a note."""
    settings = desk.settings.docs_first
    try:
        if issue_url:
            flows.draft_issue_reply(db, ticket, issue_url=issue_url, settings=settings, actor=actor_for(user))
        else:
            flows.draft_reply(db, ticket, url=url, index=index, settings=settings, actor=actor_for(user))
        db.commit()
    except (TicketError, TemplateError) as exc:
        db.rollback()
        flash(request, str(exc), "error")
    else:
        flash(request, "Drafted the reply: copy it from the internal notes into the thread.", "success")
    return back_to_ticket(request)


@router.post("/tickets/{ticket_id}/docs/issue")
def file_docs_issue(
    request: Request,
    user: Editor,
    ticket: CurrentTicket,
    db: DbSession,
    desk: DeskDep,
    index: DocsIndex,
    title: Annotated[str, Form(max_length=TITLE_MAX)],
    description: Annotated[str, Form(max_length=100_000)],
    kind: Annotated[IssueKind, Form()] = "gap",
    labels: Annotated[str, Form(max_length=2000)] = "",
    docs_url: UrlField = "",
    force: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """File the edited docs issue in GitLab (once per ticket and kind) and link it on the ticket."""
    try:
        draft = flows.draft_issue(
            db, ticket, kind=kind, index=index, settings=desk.settings.docs_first, docs_url=docs_url or None
        )
        draft = draft.edited(title=title, description=description, labels=labels.split(","))
        filed = flows.file_issue(
            db,
            ticket,
            draft,
            connect=lambda: gitlab_issues.build(desk.settings.gitlab),
            actor=actor_for(user),
            force=force,
        )
        db.commit()
    except (TicketError, TemplateError, IntegrationError) as exc:
        db.rollback()
        flash(request, f"The docs issue was not filed: {exc}", "error")
    else:
        if filed.created:
            flash(request, f"Filed docs issue {filed.web_url} and linked it here.", "success")
        else:
            flash(request, f"A docs issue was already filed for this ticket: {filed.web_url}", "info")
    return back_to_ticket(request)
