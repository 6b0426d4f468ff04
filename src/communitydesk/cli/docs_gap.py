"""`desk docs gap TICKET`: draft (and with --file, file) the docs issue of a ticket the docs do not answer."""

from __future__ import annotations

import typer
from rich.markup import escape

from communitydesk.cli.context import console, err_console, fail, open_desk
from communitydesk.docs import flows
from communitydesk.docs.drafts import IssueDraft, IssueKind, TemplateError
from communitydesk.docs.handle import IndexHandle
from communitydesk.integrations.base import IntegrationError
from communitydesk.integrations.gitlab import issues as gitlab_issues
from communitydesk.tickets import service as tickets
from communitydesk.tickets.schemas import Actor

CLI_ACTOR = Actor("desk docs gap")


def gap(
    ticket_id: int = typer.Argument(..., min=1, help="The ticket whose question the docs do not answer."),
    file: bool = typer.Option(False, "--file", help="File the issue in GitLab and link it on the ticket."),
    wrong: str | None = typer.Option(
        None, "--wrong", metavar="URL", help="The docs page is wrong: draft a feedback issue about it."
    ),
    force: bool = typer.Option(False, "--force", help="File another issue although one was filed already."),
) -> None:
    """Draft the docs issue for a ticket (a gap, or --wrong URL); --file files it once and links it."""
    kind: IssueKind = "wrong" if wrong is not None else "gap"
    with open_desk() as desk, desk.sessions() as session:
        ticket = tickets.get(session, ticket_id)
        if ticket is None:
            raise fail(f"there is no ticket #{ticket_id}")
        handle = IndexHandle(desk.settings.resolved_docs_index_path)
        try:
            index = handle.get()
            if index is None:
                err_console.print(
                    "[yellow]no docs index[/]: the draft lists no pages (build one with `desk docs index`)"
                )
            found = flows.suggest_for_ticket(session, ticket, index, desk.settings.docs_first)
            draft = flows.draft_issue(
                session, ticket, kind=kind, index=index, settings=desk.settings.docs_first, docs_url=wrong
            )
            if not file:
                _print_draft(draft, found)
                return
            filed = flows.file_issue(
                session,
                ticket,
                draft,
                connect=lambda: gitlab_issues.build(desk.settings.gitlab),
                actor=CLI_ACTOR,
                force=force,
            )
            session.commit()
        except (tickets.TicketError, TemplateError, IntegrationError) as exc:
            raise fail(str(exc)) from exc
        finally:
            handle.close()
    if filed.created:
        console.print(
            f"filed {filed.web_url} and linked it on ticket #{ticket_id}", highlight=False, soft_wrap=True
        )
    else:
        console.print(
            f"already filed for ticket #{ticket_id}: {filed.web_url} (--force files another)",
            highlight=False,
            soft_wrap=True,
        )


def _print_draft(draft: IssueDraft, found: flows.TicketSuggestions) -> None:
    result = found.result
    if result is not None:
        verdict = "low: no page answers well" if found.low_confidence else result.level
        console.print(f"confidence {result.confidence:.2f} ({verdict})", highlight=False)
    console.print(f"[bold]title[/]  {escape(draft.title)}", highlight=False, soft_wrap=True)
    console.print(f"[bold]labels[/] {escape(', '.join(draft.labels))}", highlight=False, soft_wrap=True)
    console.print(escape(draft.description), highlight=False, soft_wrap=True)
    console.print("not filed: add --file to file it in GitLab", style="dim", highlight=False)
