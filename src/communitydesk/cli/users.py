"""`desk user` and `desk token`: people and API tokens."""

from __future__ import annotations

import typer
from rich.table import Table

from communitydesk.cli.context import console, fail, open_desk
from communitydesk.db.engine import transaction
from communitydesk.users import service as users
from communitydesk.users.models import ROLES

user_app = typer.Typer(help="Manage the people who log in.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)


@user_app.command("add")
def add_user(
    email: str,
    role: str = typer.Option("advocate", help=f"One of: {', '.join(ROLES)}."),
    name: str = typer.Option("", help="Display name (defaults to the email)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Add a user."""
    with open_desk() as desk:
        try:
            with transaction(desk.sessions) as session:
                user = users.create(session, email=email, name=name, role=role, password=password)
        except users.UserError as exc:
            raise fail(str(exc)) from exc
        console.print(f"added {user.email} ({user.role}) as user {user.id}")


@user_app.command("list")
def list_users() -> None:
    """List users."""
    with open_desk() as desk, desk.sessions() as session:
        table = Table("id", "email", "name", "role", "active")
        for user in users.get_all(session):
            table.add_row(str(user.id), user.email, user.name, user.role, "yes" if user.is_active else "no")
        console.print(table)


@user_app.command("sign-out")
def sign_out(email: str) -> None:
    """End every web login of a user at once (a lost laptop, a shared computer)."""
    with open_desk() as desk, transaction(desk.sessions) as session:
        user = users.get_by_email(session, email)
        if user is None:
            raise fail(f"no user with email {email}")
        ended = users.end_web_sessions(session, user)
    console.print(f"ended {ended} web login{'s' if ended != 1 else ''} of {email}")


@token_app.command("create")
def create_token(email: str, name: str = typer.Option("cli", help="What the token is for.")) -> None:
    """Create an API token for a user and print it once."""
    with open_desk() as desk, transaction(desk.sessions) as session:
        user = users.get_by_email(session, email)
        if user is None:
            raise fail(f"no user with email {email}")
        token = users.create_token(session, user, name=name)
    console.print(token, highlight=False, soft_wrap=True)
