"""The intake seam: parse rows from any source, then store them in batches and keep the rejects.

Files, the REST API and (later) source connectors all hand rows to `ingest_rows`. A bad row is kept in
the rejects table with its location and reason and never stops the others; a row seen before is counted
as a duplicate and changes nothing (storing and threading: `storing`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from communitydesk.experts.answers import ExpertWatch
from communitydesk.mentions import service as mentions
from communitydesk.mentions.schemas import IntakeReport, MentionIn
from communitydesk.mentions.storing import store_mentions

BATCH_SIZE = 500


class RowRejected(ValueError):
    pass


def describe_validation_error(exc: ValidationError) -> str:
    """Return a one-line reason naming each bad field."""
    parts = []
    for error in exc.errors()[:5]:
        field = ".".join(str(part) for part in error["loc"]) or "row"
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts)


def parse_row(raw: str | dict[str, Any]) -> MentionIn:
    """Parse one row (JSON text or an object) into a MentionIn, or raise RowRejected with the reason."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RowRejected(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(raw, dict):
        raise RowRejected(f"expected a JSON object, got {type(raw).__name__}")
    try:
        return MentionIn.model_validate(raw)
    except ValidationError as exc:
        raise RowRejected(describe_validation_error(exc)) from exc


def ingest_rows(
    session_factory: sessionmaker[Session],
    rows: Iterable[tuple[str, str | dict[str, Any]]],
    *,
    source: str,
    company_names: list[str],
    watch: ExpertWatch | None = None,
) -> IntakeReport:
    """Ingest (location, row) pairs; commit in batches so a crash loses at most one batch of work."""
    report = IntakeReport()
    rejects: list[tuple[str, str, str]] = []
    batch: list[tuple[str, MentionIn]] = []

    def flush() -> None:
        with session_factory() as session, session.begin():
            stored = store_mentions(session, [m for _, m in batch], company_names=company_names, watch=watch)
            for is_new in stored:
                if is_new:
                    report.new += 1
                else:
                    report.duplicate += 1
        batch.clear()

    for location, raw in rows:
        report.received += 1
        try:
            batch.append((location, parse_row(raw)))
        except RowRejected as exc:
            payload = raw if isinstance(raw, str) else json.dumps(raw, default=str)
            rejects.append((location, str(exc), payload))
            report.rejected += 1
            report.errors.append(f"{location}: {exc}")
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    if rejects:
        with session_factory() as session, session.begin():
            for location, reason, payload in rejects:
                mentions.add_reject(session, source=source, location=location, reason=reason, payload=payload)
    return report


def read_jsonl(path: Path) -> Iterator[tuple[str, str]]:
    """Yield (file:line, text) for each non-blank line of a JSON Lines file."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield f"{path.name}:{number}", line.rstrip("\n")
