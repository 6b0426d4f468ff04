"""`desk metrics`: upkeep of the per-ticket facts the metrics read."""

from __future__ import annotations

import typer

from communitydesk.cli.context import console, open_desk
from communitydesk.db.engine import transaction
from communitydesk.metrics import fact_rebuild

app = typer.Typer(help="Metrics upkeep.", no_args_is_help=True)


@app.command("rebuild-facts")
def rebuild_facts() -> None:
    """Recompute every ticket's metrics facts from the audit trail, with the configured docs URL bases.

    Run it after changing DESK_METRICS__DOCS_URL_BASES (or DESK_DOCS_URL_BASE): until then docs-first is
    computed from the notes and links directly, which is correct but slow on a large desk.
    """
    with open_desk() as desk, transaction(desk.sessions) as session:
        bases = desk.settings.resolved_docs_url_bases
        count = fact_rebuild.rebuild(session, bases)
    console.print(
        f"rebuilt the facts of {count} tickets; docs URL bases: {', '.join(bases) or '(none)'}",
        highlight=False,
    )
