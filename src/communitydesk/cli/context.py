"""Shared CLI plumbing: settings from the environment, the desk, clean error exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from communitydesk.config import Settings, load_settings
from communitydesk.runtime import Desk

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error and return the exit to raise."""
    # soft_wrap: an error line stays one line (URLs remain copyable, logs greppable);
    # escape: provider messages may contain [brackets] that Rich would read as markup.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except (ValidationError, ValueError, FileNotFoundError) as exc:
        raise fail(f"invalid settings: {exc}") from exc


@contextmanager
def open_desk() -> Iterator[Desk]:
    """Open the desk from the environment's settings and close it afterwards."""
    desk = Desk.open(settings_or_exit())
    try:
        yield desk
    finally:
        desk.close()
