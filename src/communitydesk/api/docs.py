"""Docs-first answers over the API: suggestions for any text or a ticket, reply drafts, docs issues."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from communitydesk.api.deps import ApiEditor, DbSession, DeskDep, actor_for
from communitydesk.api.errors import EDITORS_ONLY, NO_TICKET, refusals_as_422
from communitydesk.api.pagination import NO_NUL
from communitydesk.api.tickets import CurrentTicket
from communitydesk.docs import drafts, flows, service
from communitydesk.docs.drafts import IssueKind, TemplateError
from communitydesk.docs.handle import IndexHandle
from communitydesk.docs.schemas import ConfidenceLevel, Suggestion, Suggestions
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.gitlab import issues as gitlab_issues

router = APIRouter(tags=["docs"])
NO_INDEX_HINT = "no docs index yet: build one with `desk docs index PATH... --url-base URL`"
GITLAB_ANSWERS: dict[int | str, dict[str, Any]] = {
    502: {"description": "GitLab refused the issue or could not be reached; `detail` says why."},
    503: {"description": "No GitLab project or token is configured (DESK_GITLAB__*)."},
}


def get_docs_index(request: Request) -> SqliteDocsIndex | None:
    """Return the app's shared docs index, or None while there is none (the app keeps one handle)."""
    handle: IndexHandle = request.app.state.docs_index
    return handle.get()


DocsIndex = Annotated[SqliteDocsIndex | None, Depends(get_docs_index)]


class Highlight(BaseModel):
    text: str
    match: bool


class SuggestionOut(BaseModel):
    path: str
    url: str = Field(description="The page, or its best section (#anchor).")
    page_url: str
    title: str
    section: str | None
    stage: str | None
    group: str | None
    score: float
    snippet: str = Field(description="Plain text around the matched terms.")
    highlights: list[Highlight] = Field(description="The snippet in pieces; `match` marks matched terms.")

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        return cls(
            path=s.path,
            url=s.url,
            page_url=s.page_url,
            title=s.title,
            section=s.section,
            stage=s.stage,
            group=s.group,
            score=round(s.score, 4),
            snippet=s.snippet.text,
            highlights=[Highlight(text=text, match=match) for text, match in s.snippet.parts()],
        )


class SuggestionsOut(BaseModel):
    index_ready: bool = Field(description="False while there is no docs index; `hint` says how to build one.")
    hint: str | None = None
    confidence: float
    level: ConfidenceLevel
    low_confidence: bool = Field(description="Confidence is below DESK_DOCS_FIRST__LOW_CONFIDENCE.")
    suggestions: list[SuggestionOut]

    @classmethod
    def of(cls, result: Suggestions | None, threshold: float) -> SuggestionsOut:
        if result is None:
            return cls(
                index_ready=False,
                hint=NO_INDEX_HINT,
                confidence=0.0,
                level="low",
                low_confidence=True,
                suggestions=[],
            )
        return cls(
            index_ready=True,
            confidence=round(result.confidence, 4),
            level=result.level,
            low_confidence=result.confidence < threshold,
            suggestions=[SuggestionOut.of(s) for s in result.suggestions],
        )


class TicketSuggestionsOut(SuggestionsOut):
    ticket_id: int
    docs_issues: list[str] = Field(description="Docs issues already linked on the ticket.")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=2000, description="The docs link to answer with.")
    issue_url: str | None = Field(
        None, max_length=2000, description="Or one of the ticket's docs issues, to reply with it."
    )


class ReplyOut(BaseModel):
    text: str
    note_id: int = Field(description="The internal note that keeps the draft on the ticket.")
    url: str


class IssueDraftOut(BaseModel):
    kind: IssueKind
    title: str
    description: str
    labels: list[str]
    docs_url: str | None
    filed_url: str | None = Field(description="The issue of this kind already filed for the ticket.")


class IssueIn(BaseModel):
    """A docs issue to file; omitted fields come from the desk's draft."""

    model_config = ConfigDict(extra="forbid")

    kind: IssueKind = "gap"
    docs_url: str | None = Field(None, max_length=2000, description="The wrong page (kind 'wrong').")
    title: str | None = Field(None, max_length=drafts.TITLE_MAX, pattern=NO_NUL)
    description: str | None = Field(None, max_length=100_000, pattern=NO_NUL)
    labels: list[str] | None = None
    force: bool = Field(False, description="File again although an issue of this kind exists.")


class FiledOut(BaseModel):
    kind: IssueKind
    web_url: str
    created: bool = Field(description="False when the issue filed earlier was returned instead.")


@contextmanager
def docs_refusals() -> Iterator[None]:
    """Answer a broken template with 500's cause spelled out, and a GitLab problem with 502 or 503."""
    with refusals_as_422():
        try:
            yield
        except TemplateError as exc:
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, detail=str(exc)) from exc
        except gitlab_issues.GitLabNotConfiguredError as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from exc
        except IntegrationError as exc:
            raise HTTPException(status.HTTP_502_BAD_GATEWAY, detail=str(exc)) from exc


@router.get("/docs/suggest")
def suggest_docs(
    desk: DeskDep,
    index: DocsIndex,
    q: Annotated[str, Query(min_length=1, max_length=20_000, pattern=NO_NUL, description="Any text.")],
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> SuggestionsOut:
    """Suggest the docs pages and sections that best answer a text."""
    result = service.suggest(index, q, top=top) if index is not None else None
    return SuggestionsOut.of(result, desk.settings.docs_first.low_confidence)


@router.get("/tickets/{ticket_id}/docs-suggestions", responses=NO_TICKET)
def ticket_docs_suggestions(
    db: DbSession, desk: DeskDep, ticket: CurrentTicket, index: DocsIndex
) -> TicketSuggestionsOut:
    """Suggest docs pages for the ticket's question, with the confidence and its docs issues."""
    found = flows.suggest_for_ticket(db, ticket, index, desk.settings.docs_first)
    return TicketSuggestionsOut(
        **SuggestionsOut.of(found.result, found.threshold).model_dump(),
        ticket_id=ticket.id,
        docs_issues=flows.docs_issue_urls(db, ticket),
    )


@router.post("/tickets/{ticket_id}/docs-reply", responses={**EDITORS_ONLY, **NO_TICKET})
def draft_docs_reply(
    user: ApiEditor, db: DbSession, desk: DeskDep, ticket: CurrentTicket, index: DocsIndex, body: ReplyIn
) -> ReplyOut:
    """Draft the docs-first reply (a docs link, or one of the ticket's docs issues) as an internal note."""
    if (body.url is None) == (body.issue_url is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="give either url or issue_url")
    with docs_refusals():
        if body.url is not None:
            draft = flows.draft_reply(
                db,
                ticket,
                url=body.url,
                index=index,
                settings=desk.settings.docs_first,
                actor=actor_for(user),
            )
        else:
            draft = flows.draft_issue_reply(
                db,
                ticket,
                issue_url=body.issue_url or "",
                settings=desk.settings.docs_first,
                actor=actor_for(user),
            )
        db.commit()
    return ReplyOut(text=draft.text, note_id=draft.note_id, url=draft.url)


@router.get("/tickets/{ticket_id}/docs-issue", responses=NO_TICKET)
def draft_docs_issue(
    db: DbSession,
    desk: DeskDep,
    ticket: CurrentTicket,
    index: DocsIndex,
    kind: IssueKind = "gap",
    url: Annotated[str | None, Query(max_length=2000, description="The wrong page (kind 'wrong').")] = None,
) -> IssueDraftOut:
    """Draft a docs issue for the ticket: a gap in the docs, or a page that is wrong."""
    with docs_refusals():
        draft = flows.draft_issue(
            db, ticket, kind=kind, index=index, settings=desk.settings.docs_first, docs_url=url
        )
    return IssueDraftOut(
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        labels=list(draft.labels),
        docs_url=draft.docs_url,
        filed_url=flows.filed_issue_url(db, ticket, kind, url),
    )


@router.post("/tickets/{ticket_id}/docs-issue", responses={**EDITORS_ONLY, **NO_TICKET, **GITLAB_ANSWERS})
def file_docs_issue(
    user: ApiEditor, db: DbSession, desk: DeskDep, ticket: CurrentTicket, index: DocsIndex, body: IssueIn
) -> FiledOut:
    """File the docs issue in GitLab once per ticket and kind, and link it on the ticket."""
    with docs_refusals():
        draft = flows.draft_issue(
            db, ticket, kind=body.kind, index=index, settings=desk.settings.docs_first, docs_url=body.docs_url
        )
        draft = draft.edited(title=body.title, description=body.description, labels=body.labels)
        filed = flows.file_issue(
            db,
            ticket,
            draft,
            connect=lambda: gitlab_issues.build(desk.settings.gitlab),
            actor=actor_for(user),
            force=body.force,
        )
        db.commit()
    return FiledOut(kind=filed.kind, web_url=filed.web_url, created=filed.created)
