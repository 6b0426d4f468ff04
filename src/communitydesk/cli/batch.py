"""The `--batch IN.jsonl` contract shared by `desk docs suggest` and `desk route`.

Rows are {"id", "text"} (an optional "title" goes first); each row gets one JSON line out, in order. A bad
row gets a line too, with an "error", so outputs stay aligned with inputs; the command then exits 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.markup import escape

from communitydesk.cli.context import err_console, fail

Answer = Callable[[Any, str], dict[str, Any]]
Refusal = Callable[[Any, str], dict[str, Any]]


def run_batch(batch: Path, answer: Answer, refusal: Refusal) -> None:
    """Answer every row of a JSON Lines file (`-` for standard input) on standard output."""
    if str(batch) != "-" and not batch.is_file():
        raise fail(f"{batch} is not a file")
    rejected = 0
    with _lines(batch) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row_id, text, error = parse_row(line)
            if error is not None:
                rejected += 1
                err_console.print(f"[red]line {number}:[/] {escape(error)}", highlight=False)
                typer.echo(json.dumps(refusal(row_id, error) | {"error": error}))
                continue
            typer.echo(json.dumps(answer(row_id, text), ensure_ascii=False))
    if rejected:
        raise typer.Exit(2)


@contextmanager
def _lines(batch: Path) -> Iterator[TextIO]:
    if str(batch) == "-":
        yield sys.stdin
        return
    with batch.open(encoding="utf-8") as handle:
        yield handle


def parse_row(line: str) -> tuple[Any, str, str | None]:
    """Return (id, text, error) of one input line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, "", f"not JSON: {exc}"
    if not isinstance(row, dict):
        return None, "", "a row must be a JSON object"
    text = row.get("text")
    if not isinstance(text, str):
        return row.get("id"), "", 'a row needs a "text" string'
    title = row.get("title")
    return row.get("id"), f"{title}\n\n{text}" if isinstance(title, str) and title else text, None
