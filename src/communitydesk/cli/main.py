"""The `desk` command: one Typer app with a sub-command group per feature."""

from __future__ import annotations

import typer

from communitydesk import __version__
from communitydesk.cli import (
    db,
    docs,
    docs_gap,
    experts,
    ingest,
    metrics,
    outreach,
    report,
    route,
    serve,
    sources,
    users,
)

app = typer.Typer(
    name="desk",
    help="Community Desk: mentions, tickets, experts and docs-first answers for a community team.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(docs.app, name="docs")
docs.app.command("gap")(docs_gap.gap)
app.add_typer(experts.app, name="experts")
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
app.add_typer(ingest.app, name="ingest")
sources.register(ingest.app)
app.add_typer(sources.app, name="sources")
app.add_typer(outreach.app, name="outreach")
app.add_typer(report.app, name="report")
app.add_typer(metrics.app, name="metrics")
app.command("serve")(serve.serve)
app.command("run")(serve.run)
app.command("worker")(sources.worker)
app.command("route")(route.route)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
