"""`desk outreach`: ask an expert in Slack, retry the queue, post reminders, record an interim reply."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from communitydesk.cli.context import console, fail, open_desk
from communitydesk.db.engine import transaction
from communitydesk.integrations.slack.client import SlackClient, SlackError
from communitydesk.outreach import flows
from communitydesk.outreach import service as outreach
from communitydesk.replies import service as replies
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.schemas import Actor

app = typer.Typer(help="Ask experts in Slack and follow up.", no_args_is_help=True)
CLI_ACTOR = Actor("cli")


def _client(desk: Desk) -> SlackClient:
    try:
        return SlackClient(desk.settings.slack)
    except SlackError as exc:
        raise fail(str(exc)) from exc


@app.command("send")
def send(
    ticket_id: int = typer.Argument(..., help="Ticket to ask about."),
    channel: str | None = typer.Option(
        None, "--channel", help="Slack channel, e.g. '#g_runner'; default: the ticket's group channel."
    ),
    expert: str | None = typer.Option(None, "--expert", help="The expert: Slack user id or @handle."),
) -> None:
    """Post the expert request for a ticket and apply `Reached out to expert`."""
    with open_desk() as desk:
        client = _client(desk)
        try:
            outreach_id = flows.send_outreach(
                desk, ticket_id, client, channel=channel, expert=expert, actor=CLI_ACTOR
            )
        except outreach.OutreachError as exc:
            raise fail(str(exc)) from exc
        with desk.sessions() as session:
            row = outreach.get(session, outreach_id)
        assert row is not None
        if row.status == "sent":
            console.print(
                f"asked in {row.channel}: {row.permalink or row.ts}", highlight=False, soft_wrap=True
            )
        elif row.status == "queued":
            console.print(
                f"queued outreach #{row.id} ({escape(row.last_error or '')}); "
                "`desk worker` or `desk outreach retry` sends it",
                highlight=False,
                soft_wrap=True,
            )
        else:
            raise fail(f"outreach #{row.id} failed: {row.last_error}")


@app.command("retry")
def retry() -> None:
    """Make one attempt at every queued request that is due."""
    with open_desk() as desk:
        report = flows.retry_due(desk, lambda: _client(desk))
        console.print(report.summary())


@app.command("remind")
def remind() -> None:
    """Post due reminders and escalations in outreach threads (each once)."""
    with open_desk() as desk:
        report = flows.send_follow_ups(desk, lambda: _client(desk))
        console.print(report.summary())


@app.command("list")
def list_outreach(ticket_id: int = typer.Argument(..., help="Ticket whose outreach to show.")) -> None:
    """Show a ticket's outreach, replies and follow-ups."""
    with open_desk() as desk, desk.sessions() as session:
        table = Table("id", "status", "channel", "expert", "attempts", "permalink / error", "replies")
        for view in outreach.views_of_ticket(session, ticket_id):
            table.add_row(
                str(view.id),
                view.status,
                escape(view.channel),
                escape(view.expert or ""),
                str(view.attempts),
                escape(view.permalink or view.last_error or ""),
                str(len(view.replies)),
            )
        console.print(table)


@app.command("interim")
def interim(
    ticket_id: int = typer.Argument(..., help="Ticket that got the holding reply."),
    text: str | None = typer.Option(None, "--text", help="What was said; default: the configured text."),
    url: str | None = typer.Option(None, "--url", help="Where the reply was posted."),
) -> None:
    """Record the public holding reply from the company account while an expert is asked."""
    with open_desk() as desk:
        try:
            with transaction(desk.sessions) as session:
                ticket = tickets.get(session, ticket_id)
                if ticket is None:
                    raise tickets.TicketError(f"ticket #{ticket_id} does not exist")
                reply = replies.record_interim_reply(
                    session, desk.settings, ticket, text=text, url=url, actor=CLI_ACTOR
                )
                body = reply.body
        except tickets.TicketError as exc:
            raise fail(str(exc)) from exc
        console.print(f"recorded interim reply on #{ticket_id}: {escape(body)}", highlight=False)
