"""`desk experts`: import the expert directory (taxonomy, people, routes) and list it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from communitydesk.cli.context import console, err_console, fail, open_desk
from communitydesk.experts import flows
from communitydesk.experts import service as experts
from communitydesk.experts.importer import ExpertsFileError
from communitydesk.experts.schemas import PLATFORM_NAMES
from communitydesk.taxonomy import service as taxonomy
from communitydesk.taxonomy.aliases import Resolver
from communitydesk.taxonomy.yaml_files import TaxonomyError

app = typer.Typer(
    help="The expert directory: stages, groups, categories, people and routes.", no_args_is_help=True
)


@app.command("import")
def import_(
    taxonomy_dir: Path | None = typer.Option(
        None,
        "--taxonomy",
        help="Folder with GitLab-format stages.yml and categories.yml.",
        show_default=False,
    ),
    people: Path | None = typer.Option(
        None,
        "--people",
        help="People file (docs/experts.md). Default: DESK_EXPERTS__PEOPLE_FILE.",
        show_default=False,
    ),
    routes: Path | None = typer.Option(
        None,
        "--routes",
        help="Routes file (docs/experts.md). Default: DESK_EXPERTS__ROUTES_FILE.",
        show_default=False,
    ),
    prune: bool = typer.Option(
        False, "--prune", help="Delete stages, groups and categories the files no longer have."
    ),
) -> None:
    """Import the directory; every file is checked before anything is stored."""
    with open_desk() as desk:
        if (
            taxonomy_dir is None
            and people is None
            and routes is None
            and not (desk.settings.experts.people_file or desk.settings.experts.routes_file)
        ):
            raise fail("nothing to import: give --taxonomy, --people or --routes")
        try:
            result = flows.import_directory(
                desk.sessions, desk.settings, taxonomy=taxonomy_dir, people=people, routes=routes, prune=prune
            )
        except (TaxonomyError, ExpertsFileError, FileNotFoundError) as exc:
            raise fail(str(exc)) from exc
    if result.taxonomy is not None:
        console.print(f"taxonomy: {result.taxonomy.describe()}", highlight=False)
    console.print(result.experts.describe(), highlight=False)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)


@app.command("list")
def list_(
    stage: str | None = typer.Option(
        None, "--stage", help="Only this stage (any name or alias).", show_default=False
    ),
    group: str | None = typer.Option(
        None, "--group", help="Only this group (any name or alias).", show_default=False
    ),
    category: str | None = typer.Option(
        None, "--category", help="Only this category key.", show_default=False
    ),
    platform: str | None = typer.Option(
        None,
        "--platform",
        help="Only people with a handle there (hackernews, reddit, x, ...).",
        show_default=False,
    ),
    team_members: bool = typer.Option(False, "--team-members", help="Only team members."),
    groups: bool = typer.Option(False, "--groups", help="List the directory's groups instead of people."),
) -> None:
    """List people with their roles, handles and expertise (or the directory's groups)."""
    with open_desk() as desk, desk.sessions() as session:
        names = flows.resolver(session, desk.settings)
        stage_key = names.stage(stage) if stage else None
        group_key = names.group(group, stage) if group else None
        if stage and stage_key is None:
            raise fail(f"no stage called {stage!r} in the directory (or its aliases)")
        if group and group_key is None:
            raise fail(f"no group called {group!r} in the directory (or its aliases)")
        if groups:
            _print_groups(session, stage_key, group_key, names)
            return
        wanted_platform = PLATFORM_NAMES.get(platform.lower()) if platform else None
        if platform and wanted_platform is None:
            raise fail(f"unknown platform {platform!r}; known: {', '.join(sorted(PLATFORM_NAMES))}")
        people = experts.get_people(
            session,
            stage=stage_key,
            group=group_key,
            category=category,
            platform=wanted_platform,
            team_members_only=team_members,
        )
        table = Table("key", "name", "role", "slack", "team", "handles", "expertise")
        for person in people:
            handles = ", ".join(f"{h.platform}:{h.display}" for h in person.handles)
            expertise = "; ".join(
                f"{kind}: {', '.join(keys)}" for kind, keys in person.expertise.items() if keys
            )
            table.add_row(
                escape(person.key),
                escape(person.name),
                escape(person.role or "-"),
                escape(person.slack_user_id or "-"),
                "yes" if person.team_member else "no",
                escape(handles or "-"),
                escape(expertise or "-"),
            )
        console.print(table)
        routes = experts.get_routes(session)
        if routes and not (stage or group or category or platform):
            route_table = Table("route", "kind", "topic", "channel", "people")
            for route in routes:
                route_table.add_row(
                    escape(route.key),
                    route.kind,
                    escape(route.topic),
                    escape(route.channel or route.slack_mention or "-"),
                    escape(", ".join(route.people) or "-"),
                )
            console.print(route_table)
        console.print(f"{len(people)} people", highlight=False)


def _print_groups(session: Session, stage_key: str | None, group_key: str | None, names: Resolver) -> None:
    stages = {stage.id: stage for stage in taxonomy.get_stages(session)}
    table = Table("stage", "group", "name", "slack", "pm", "support", "also called")
    shown = 0
    for group in taxonomy.get_groups(session):
        stage = stages[group.stage_id]
        if (stage_key and stage.key != stage_key) or (group_key and group.key != group_key):
            continue
        support = group.attributes.get("support")
        table.add_row(
            escape(stage.key),
            escape(group.key),
            escape(group.name),
            escape(group.slack_channel or stage.slack_channel or "-"),
            escape(str(group.attributes.get("pm") or "-")),
            escape(", ".join(support) if isinstance(support, list) else str(support or "-")),
            escape(", ".join(names.other_group_names(group.key)) or "-"),
        )
        shown += 1
    console.print(table)
    console.print(f"{shown} groups", highlight=False)
