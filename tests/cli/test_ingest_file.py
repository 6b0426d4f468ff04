"""`desk ingest file`: idempotent, and a broken row is named, kept and does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.tickets.models import Ticket
from tests.factories import mention


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _count(desk: Desk, model: type) -> int:
    with desk.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_same_file_twice_adds_nothing_the_second_time(desk: Desk, cli: CliRunner, tmp_path: Path) -> None:
    rows = [
        json.dumps(mention(channel, f"id-{n}")) for n, channel in enumerate(["twitter", "reddit", "forum"])
    ]
    path = _write(tmp_path / "mentions.jsonl", rows)

    first = cli.invoke(app, ["ingest", "file", str(path)])
    second = cli.invoke(app, ["ingest", "file", str(path)])

    assert first.exit_code == 0, first.output
    assert "3 new" in first.output
    assert second.exit_code == 0, second.output
    assert "0 new" in second.output and "3 duplicate" in second.output
    assert _count(desk, Mention) == 3
    assert _count(desk, Ticket) == 3


def test_a_broken_row_is_named_with_its_line_and_kept_while_the_others_go_in(
    desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    good = [json.dumps(mention("hackernews", f"hn-{n}")) for n in range(4)]
    missing_time = mention("reddit", "bad-1")
    del missing_time["created_at"]
    rows = [good[0], good[1], "{not json", json.dumps(missing_time), good[2], good[3]]
    path = _write(tmp_path / "batch.jsonl", rows)

    result = cli.invoke(app, ["ingest", "file", str(path)])

    assert result.exit_code == 2
    assert "batch.jsonl:3: invalid JSON" in result.output
    assert "batch.jsonl:4: created_at: Field required" in result.output
    assert "4 new" in result.output and "2 rejected" in result.output
    assert _count(desk, Mention) == 4
    with desk.sessions() as session:
        rejects = session.scalars(select(IntakeReject).order_by(IntakeReject.id)).all()
    assert [reject.location for reject in rejects] == ["batch.jsonl:3", "batch.jsonl:4"]
    assert rejects[0].payload == "{not json"


def test_naive_times_unknown_channels_and_bad_urls_are_refused(
    desk: Desk, cli: CliRunner, tmp_path: Path
) -> None:
    naive = mention("twitter", "n1", created_at="2026-10-01T12:00:00")
    channel = {**mention("twitter", "n2"), "channel": "myspace"}
    url = mention("twitter", "n3", url="javascript:alert(1)")
    path = _write(tmp_path / "bad.jsonl", [json.dumps(row) for row in (naive, channel, url)])

    result = cli.invoke(app, ["ingest", "file", str(path)])

    assert "bad.jsonl:1: created_at: Input should have timezone info" in result.output
    assert "bad.jsonl:2: channel:" in result.output
    assert "bad.jsonl:3: url: Value error, url must start with http:// or https://" in result.output
    assert _count(desk, Mention) == 0


def test_nothing_stored_is_lost_when_a_later_file_is_bad(desk: Desk, cli: CliRunner, tmp_path: Path) -> None:
    cli.invoke(
        app, ["ingest", "file", str(_write(tmp_path / "a.jsonl", [json.dumps(mention("forum", "f1"))]))]
    )
    cli.invoke(app, ["ingest", "file", str(_write(tmp_path / "b.jsonl", ["[]", "null", "42"]))])
    assert _count(desk, Mention) == 1
    assert _count(desk, IntakeReject) == 3


def test_a_missing_file_is_a_clear_error(desk: Desk, cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["ingest", "file", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "is not a file" in result.output
