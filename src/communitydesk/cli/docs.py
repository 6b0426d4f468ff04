"""`desk docs`: index Markdown docs trees and suggest the pages that answer a text."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from communitydesk.cli.batch import run_batch
from communitydesk.cli.context import console, err_console, fail, settings_or_exit
from communitydesk.docs import service
from communitydesk.docs.ranking import DEFAULT_OPTIONS
from communitydesk.docs.schemas import Snippet, Suggestions
from communitydesk.docs.semantic import SemanticUnavailable
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.docs.urls import UrlStyle

_BATCH = replace(DEFAULT_OPTIONS, snippets=False)  # the batch output has no snippets

app = typer.Typer(
    help="Docs-first answers: index docs trees, suggest pages for any text.", no_args_is_help=True
)


@contextmanager
def _open_index() -> Iterator[SqliteDocsIndex]:
    index = service.open_index(settings_or_exit())
    try:
        yield index
    finally:
        index.close()


@app.command("index")
def index_docs(
    paths: list[Path] = typer.Argument(
        ..., help="Folders of Markdown pages (docs trees).", show_default=False
    ),
    url_base: list[str] = typer.Option(
        [],
        "--url-base",
        help="Public URL of a tree's root, e.g. https://docs.gitlab.com/: once for all trees, or once per "
        "PATH in the same order. Default: DESK_DOCS_URL_BASE.",
        show_default=False,
    ),
    url_style: UrlStyle | None = typer.Option(
        None,
        "--url-style",
        help="How a page path becomes a URL. Default: DESK_DOCS_URL_STYLE.",
        show_default=False,
    ),
    rebuild: bool = typer.Option(False, "--rebuild", help="Empty the index first (every tree)."),
) -> None:
    """Index docs trees; a second run touches only new, changed and removed files."""
    settings = settings_or_exit()
    for path in paths:
        if not path.is_dir():
            raise fail(f"{path} is not a folder")
    try:
        trees = service.trees_from(
            paths, url_base or [settings.docs_url_base], url_style or settings.docs_url_style
        )
    except ValueError as exc:
        raise fail(str(exc)) from exc
    columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with _open_index() as index, Progress(*columns, console=err_console, transient=True) as progress:
        if rebuild:
            index.clear()
        task = progress.add_task("indexing", total=None)
        report = service.index(
            index,
            trees,
            exclude=settings.docs_exclude,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
        counts = index.counts()
    console.print(
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged"
        f" ({report.redirects} redirects followed, not indexed) in {report.seconds:.1f} s; the index holds "
        f"{counts['pages']} pages, {counts['sections']} sections from {counts['roots']} trees",
        highlight=False,
    )


@app.command("embed")
def embed_docs(
    threads: int = typer.Option(
        os.cpu_count() or 1, "--threads", min=1, help="CPU threads for the model.", show_default=False
    ),
) -> None:
    """Give every indexed page a vector for the semantic extra (only pages without one: run after `index`)."""
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.perf_counter()
    with _open_index() as index, Progress(*columns, console=err_console, transient=True) as progress:
        if not index.counts()["pages"]:
            raise fail("the docs index is empty: run `desk docs index PATH...` first")
        task = progress.add_task("embedding", total=None)
        try:
            embedded = service.embed(
                index,
                lambda done, total: progress.update(task, completed=done, total=total),
                threads=threads,
            )
        except SemanticUnavailable as exc:
            raise fail(str(exc)) from exc
    console.print(f"{embedded} pages embedded in {time.perf_counter() - started:.1f} s", highlight=False)


@app.command("suggest")
def suggest(
    text: str | None = typer.Argument(
        None, help="The text to answer (omit with --batch).", show_default=False
    ),
    batch: Path | None = typer.Option(
        None,
        "--batch",
        help='A JSON Lines file of {"id", "text"} rows ("-" reads stdin); prints one JSON line per row.',
        show_default=False,
    ),
    top: int = typer.Option(5, "--top", min=1, max=50, help="How many pages to suggest."),
) -> None:
    """Suggest the docs pages and sections that best answer a text."""
    if (text is None) == (batch is None):
        raise fail("give either a text or --batch FILE")
    with _open_index() as index:
        if not index.counts()["pages"]:
            raise fail("the docs index is empty: run `desk docs index PATH...` first")
        if batch is not None:
            _suggest_batch(index, batch, top)
        else:
            _print_suggestions(service.suggest(index, text or "", top=top))


def _suggest_batch(index: SqliteDocsIndex, batch: Path, top: int) -> None:
    def answer(row_id: Any, text: str) -> dict[str, Any]:
        result = service.suggest(index, text, top=top, options=_BATCH)
        return {
            "id": row_id,
            "confidence": round(result.confidence, 4),
            "suggestions": [suggestion.as_contract() for suggestion in result.suggestions],
        }

    run_batch(batch, answer, lambda row_id, _: {"id": row_id, "confidence": 0.0, "suggestions": []})


def _print_suggestions(result: Suggestions) -> None:
    colour = {"high": "green", "medium": "yellow", "low": "red"}[result.level]
    console.print(f"confidence [{colour}]{result.confidence:.2f} ({result.level})[/]", highlight=False)
    if not result.suggestions:
        console.print("no docs page matches this text", highlight=False)
        return
    table = Table("#", "page", "section", "owner", "score", "snippet", show_lines=True)
    for rank, s in enumerate(result.suggestions, start=1):
        owner = " / ".join(part for part in (s.stage, s.group) if part) or "-"
        table.add_row(
            str(rank),
            escape(s.title),
            escape(s.section or "-"),
            escape(owner),
            f"{s.score:.1f}",
            _highlighted(s.snippet),
        )
    console.print(table)
    for rank, s in enumerate(result.suggestions, start=1):  # whole, for copying into a reply
        console.print(f"{rank}. {s.url}", soft_wrap=True, highlight=False)


def _highlighted(snippet: Snippet) -> Text:
    text = Text()
    for piece, is_match in snippet.parts():
        text.append(piece, style="bold yellow" if is_match else None)
    return text
