"""Docs-first work on a ticket: suggest pages for its question, draft the reply, and turn a gap or a wrong
page into a docs issue that is filed once, linked on the ticket and offered for the reply.

Every change is audited: a drafted reply is an internal note (for the advocate to copy and post in the
thread), a filed issue is a `docs_issue` link plus a `docs_issue_filed` event that remembers its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from urllib.parse import urldefrag

from sqlalchemy.orm import Session

from communitydesk.docs import drafts, service
from communitydesk.docs.backend import SearchBackend
from communitydesk.docs.drafts import IssueDraft, IssueKind, Question
from communitydesk.docs.schemas import IndexedPage, Suggestion, Suggestions
from communitydesk.integrations.issues import IssueTracker, NewIssue
from communitydesk.settings.docs import DocsFirstSettings
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor

DOCS_ISSUE_LINK = "docs_issue"  # the link kind metrics count
FILED_ACTION = "docs_issue_filed"
REPLY_ACTION = "docs_reply_drafted"
REPLY_NOTE_HEADER = "Docs-first reply draft (copy it into the thread):"
ISSUE_REPLY_NOTE_HEADER = "Reply draft with the docs issue (copy it into the thread):"


class DocsFlowError(tickets.TicketError):
    """A docs-first action the desk refuses, with a message fit for the advocate."""


@dataclass(frozen=True)
class TicketSuggestions:
    """The docs pages for a ticket's question; `result` is None when there is no docs index yet."""

    question: Question
    result: Suggestions | None
    threshold: float

    @property
    def low_confidence(self) -> bool:
        return self.result is not None and self.result.confidence < self.threshold


@dataclass(frozen=True)
class ReplyDraft:
    text: str
    note_id: int
    url: str


@dataclass(frozen=True)
class FiledDocsIssue:
    """A docs issue linked on a ticket; `created` is False when an earlier one was reused."""

    kind: IssueKind
    web_url: str
    created: bool


def question_of(session: Session, ticket: Ticket) -> Question:
    """Return what the ticket asks: its first mention's title and text, and where it was asked."""
    first = next(iter(tickets.mentions_of(session, ticket)), None)
    parts = [first.title, first.text] if first is not None else [ticket.subject]
    return Question(
        text="\n\n".join(part.strip() for part in parts if part and part.strip()),
        thread_url=drafts.safe_url(first.url) if first is not None else None,
        requester=ticket.requester_handle or ticket.requester_name,
        channel=ticket.channel,
        ticket_id=ticket.id,
    )


def suggest_for_ticket(
    session: Session, ticket: Ticket, index: SearchBackend | None, settings: DocsFirstSettings
) -> TicketSuggestions:
    """Suggest docs pages for the ticket's question (nothing when there is no index)."""
    question = question_of(session, ticket)
    result = service.suggest(index, question.text, top=settings.top) if index is not None else None
    return TicketSuggestions(question=question, result=result, threshold=settings.low_confidence)


def draft_reply(
    session: Session,
    ticket: Ticket,
    *,
    url: str,
    index: SearchBackend | None,
    settings: DocsFirstSettings,
    actor: Actor,
) -> ReplyDraft:
    """Draft the docs-first reply with one docs link and keep it on the ticket as an internal note."""
    link = drafts.safe_url(url)
    if link is None:
        raise DocsFlowError("a docs link must be an http(s) URL")
    title, section = link, None
    suggestion = _suggested(session, ticket, index, settings, link)
    if suggestion is not None:
        title, section = suggestion.title, suggestion.section
    elif (page := find_page(index, link)) is not None:
        title = page.title
    question = question_of(session, ticket)
    text = drafts.reply_text(settings, requester=question.requester, title=title, section=section, url=link)
    return _keep_reply(session, ticket, REPLY_NOTE_HEADER, text, link, actor)


def draft_issue_reply(
    session: Session, ticket: Ticket, *, issue_url: str, settings: DocsFirstSettings, actor: Actor
) -> ReplyDraft:
    """Draft the reply that links one of the ticket's docs issues and keep it as an internal note."""
    if issue_url not in docs_issue_urls(session, ticket):
        raise DocsFlowError(f"ticket #{ticket.id} has no docs issue {issue_url}")
    wrong_page = next(
        (
            e.old_value
            for e in tickets.audit_of(session, ticket)
            if _is_filed(e.action, e.new_value, issue_url)
        ),
        None,
    )
    question = question_of(session, ticket)
    text = drafts.issue_reply_text(
        settings, requester=question.requester, issue_url=issue_url, docs_url=wrong_page
    )
    return _keep_reply(session, ticket, ISSUE_REPLY_NOTE_HEADER, text, issue_url, actor)


def draft_issue(
    session: Session,
    ticket: Ticket,
    *,
    kind: IssueKind,
    index: SearchBackend | None,
    settings: DocsFirstSettings,
    docs_url: str | None = None,
) -> IssueDraft:
    """Draft a docs issue: a gap (no page answers the question) or a page that is wrong (`docs_url`)."""
    if kind == "wrong" and drafts.safe_url(docs_url) is None:
        raise DocsFlowError("say which docs page is wrong: an http(s) URL")
    found = suggest_for_ticket(session, ticket, index, settings)
    result = found.result or Suggestions(confidence=0.0)
    owners: list[tuple[str | None, str | None]] = [(ticket.stage, ticket.group_name)]
    if kind == "wrong" and (page := find_page(index, docs_url or "")) is not None:
        owners.insert(0, (page.stage, page.group))  # the page's own front matter names its owner
    owners += [(s.stage, s.group) for s in result.suggestions[:1]]
    # Stage and group come from one owner, never mixed: the first that names either.
    stage, group = next(
        (
            owner
            for owner in owners
            if drafts.scoped_label("devops", owner[0]) or drafts.scoped_label("group", owner[1])
        ),
        (None, None),
    )
    return drafts.issue_draft(
        settings,
        found.question,
        kind=kind,
        suggestions=result.suggestions,
        confidence=result.confidence,
        stage=stage,
        group=group,
        docs_url=docs_url,
    )


def file_issue(
    session: Session,
    ticket: Ticket,
    draft: IssueDraft,
    *,
    connect: Callable[[], IssueTracker],
    actor: Actor,
    force: bool = False,
) -> FiledDocsIssue:
    """File a docs issue once per ticket and kind, and per page for a wrong one (again only when forced);
    link it on the ticket.

    `connect` builds the tracker only when an issue is really filed, so asking again works without one.
    """
    if not draft.title.strip():
        raise DocsFlowError("a docs issue needs a title")
    if not force and (earlier := filed_issue_url(session, ticket, draft.kind, draft.docs_url)) is not None:
        return FiledDocsIssue(kind=draft.kind, web_url=earlier, created=False)
    new_issue = NewIssue(
        title=drafts.one_line(draft.title, drafts.TITLE_MAX),
        description=draft.description,
        labels=tuple(label.strip() for label in draft.labels if label.strip()),
    )
    with closing(connect()) as tracker:
        issue = tracker.create_issue(new_issue)
    tickets.link(session, ticket, kind=DOCS_ISSUE_LINK, url=issue.web_url, actor=actor)
    # The event remembers the kind (and the wrong page) of the issue: filing stays once per ticket and kind.
    tickets.record(
        session,
        ticket,
        actor=actor,
        action=FILED_ACTION,
        field=draft.kind,
        old=draft.docs_url,
        new=issue.web_url,
    )
    return FiledDocsIssue(kind=draft.kind, web_url=issue.web_url, created=True)


def filed_issue_url(
    session: Session, ticket: Ticket, kind: IssueKind, docs_url: str | None = None
) -> str | None:
    """Return the docs issue of this kind already filed for the ticket (for 'wrong': about that page)."""
    page = drafts.safe_url(docs_url) if kind == "wrong" else None
    for event in reversed(tickets.audit_of(session, ticket)):
        same_kind = event.action == FILED_ACTION and event.field == kind and event.new_value
        if same_kind and (kind == "gap" or event.old_value == page):
            return event.new_value
    return None


def docs_issue_urls(session: Session, ticket: Ticket) -> list[str]:
    """Return the docs issues linked on the ticket, oldest first."""
    return [
        link.target_url
        for link in tickets.links_of(session, ticket)
        if link.ticket_id == ticket.id and link.kind == DOCS_ISSUE_LINK and link.target_url
    ]


def find_page(index: SearchBackend | None, url: str) -> IndexedPage | None:
    """Return the indexed page a docs URL points into (its #section ignored), if the index has it."""
    if index is None or not url:
        return None
    page_url = urldefrag(url).url
    return next((page for page in index.pages() if page.url == page_url), None)


def _suggested(
    session: Session, ticket: Ticket, index: SearchBackend | None, settings: DocsFirstSettings, url: str
) -> Suggestion | None:
    found = suggest_for_ticket(session, ticket, index, settings).result
    return next((s for s in found.suggestions if url in (s.url, s.page_url)), None) if found else None


def _keep_reply(
    session: Session, ticket: Ticket, header: str, text: str, url: str, actor: Actor
) -> ReplyDraft:
    note = tickets.add_note(session, ticket, f"{header}\n\n{text}", actor=actor)
    tickets.record(session, ticket, actor=actor, action=REPLY_ACTION, field="docs", new=url)
    session.flush()
    return ReplyDraft(text=text, note_id=note.id, url=url)


def _is_filed(action: str, filed_url: str | None, issue_url: str) -> bool:
    return action == FILED_ACTION and filed_url == issue_url
