"""`desk route`: which stage, group, category, people and Slack channel to ask about a text or ticket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from communitydesk.cli.batch import run_batch
from communitydesk.cli.context import console, err_console, fail, open_desk
from communitydesk.routing import service as routing
from communitydesk.routing.router import Router
from communitydesk.routing.schemas import Routing
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets


@contextmanager
def _router(desk: Desk, exclude_docs: list[str]) -> Iterator[Router]:
    with (
        desk.sessions() as session,
        routing.open_router(session, desk.settings, exclude_docs=exclude_docs) as router,
    ):
        if router.index is None:
            err_console.print(
                "[yellow]warning:[/] the docs index is empty: routing without docs ownership "
                "(run `desk docs index PATH...`)",
                highlight=False,
            )
        if not router.stages:
            raise fail("the directory is empty: run `desk experts import --taxonomy DIR` first")
        yield router


def route(
    text: str | None = typer.Argument(None, help="The text to route.", show_default=False),
    batch: Path | None = typer.Option(
        None,
        "--batch",
        help='A JSON Lines file of {"id", "text"} rows ("-" reads stdin); prints one JSON line per row.',
        show_default=False,
    ),
    ticket: int | None = typer.Option(None, "--ticket", help="Route a ticket by its id.", show_default=False),
    exclude_docs: list[str] = typer.Option(
        [],
        "--exclude-docs",
        help="Glob of docs page paths that do not vote (repeatable).",
        show_default=False,
    ),
) -> None:
    """Rank stage -> group -> category, people and channel for a text, a ticket or a batch, with reasons."""
    if sum(value is not None for value in (text, batch, ticket)) != 1:
        raise fail("give exactly one of: a text, --batch FILE, --ticket ID")
    with open_desk() as desk, _router(desk, exclude_docs) as router:
        if batch is not None:
            _route_batch(router, batch)
            return
        if ticket is not None:
            with desk.sessions() as session:
                found = tickets.get(session, ticket)
                if found is None:
                    raise fail(f"no ticket #{ticket}")
                result = routing.route_ticket(session, router, found)
        else:
            result = router.route(text or "")
        _print(result)


def _route_batch(router: Router, batch: Path) -> None:
    run_batch(
        batch,
        lambda row_id, text: router.route(text).as_contract(row_id),
        lambda row_id, _: Routing(fallback=True, channel=router.fallback_channel).as_contract(row_id),
    )


def _print(result: Routing) -> None:
    colour = "green" if not result.fallback else "yellow"
    console.print(
        f"ask in [bold {colour}]{escape(result.channel or '-')}[/] (confidence {result.confidence:.2f})",
        highlight=False,
    )
    table = Table("level", "first choice", "share", "then")
    for level, ranked in (
        ("stage", result.stages),
        ("group", result.groups),
        ("category", result.categories),
    ):
        if not ranked:
            table.add_row(level, "-", "", "")
            continue
        others = ", ".join(f"{r.key} {r.share:.0%}" for r in ranked[1:3])
        table.add_row(
            level, escape(f"{ranked[0].name} ({ranked[0].key})"), f"{ranked[0].share:.0%}", escape(others)
        )
    console.print(table)
    if result.experts:
        people = Table("expert", "role", "slack", "why")
        for expert in result.experts:
            people.add_row(
                escape(expert.name),
                escape(expert.role or "-"),
                escape(expert.slack_user_id or "-"),
                escape(expert.why),
            )
        console.print(people)
    for reason in result.reasons:
        console.print(f"- {escape(reason)}", highlight=False, soft_wrap=True)
