"""`desk db upgrade` on an empty database, no drift between models and migrations, and a clean downgrade."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.db.engine import make_engine


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database on the same backend as the suite."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"desk_migrate_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_an_empty_database_then_check_downgrade_and_upgrade_again(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_DATABASE_URL", empty_database_url)
    runner = CliRunner()

    assert "empty database" in runner.invoke(app, ["db", "current"]).output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(app, ["db", "check"])
    assert checked.exit_code == 0, checked.output
    assert "no drift" in checked.output

    engine = make_engine(empty_database_url)
    try:
        assert {"tickets", "mentions", "audit_events", "users", "intake_rejects"} <= set(
            inspect(engine).get_table_names()
        )
        assert runner.invoke(app, ["db", "downgrade", "base"]).exit_code == 0
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_upgrading_a_database_with_tickets_fills_the_metrics_facts_after_the_schema(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_DATABASE_URL", empty_database_url)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "0006"]).exit_code == 0  # before the facts existed
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO tickets (id, status, subject, channel, created_at, updated_at, solved_at)"
                    " VALUES (7, 'solved', 'Runner stuck', 'forum', :created, :created, :solved)"
                ),
                {"created": "2026-10-02 10:00:00+00:00", "solved": "2026-10-03 09:00:00+00:00"},
            )

        upgraded = runner.invoke(app, ["db", "upgrade"])

        assert upgraded.exit_code == 0, upgraded.output
        with engine.connect() as connection:
            facts = connection.execute(text("SELECT ticket_id, created_month FROM ticket_facts")).all()
            created = connection.execute(
                text("SELECT tickets FROM metrics_month_counts WHERE month = 202610 AND measure = 'created'")
            ).scalar()
        assert [tuple(row) for row in facts] == [(7, 202610)] and created == 1
    finally:
        engine.dispose()


def test_month_counts_are_kept_per_channel_from_0009_and_summed_again_below_it(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_DATABASE_URL", empty_database_url)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(empty_database_url)
    counts = "SELECT month, measure, bucket, tickets FROM metrics_month_counts ORDER BY measure"
    try:
        with engine.begin() as connection:
            for ticket_id, channel in ((7, "forum"), (8, "forum"), (9, "reddit")):
                connection.execute(
                    text(
                        "INSERT INTO tickets (id, status, subject, channel, created_at, updated_at)"
                        " VALUES (:id, 'open', 'Runner stuck', :channel, :created, :created)"
                    ),
                    {"id": ticket_id, "channel": channel, "created": "2026-10-02 10:00:00+00:00"},
                )
                connection.execute(
                    text(
                        "INSERT INTO ticket_facts (ticket_id, created_at, created_month, solved_now,"
                        " has_docs_link) VALUES (:id, :created, 202610, false, false)"
                    ),
                    {"id": ticket_id, "created": "2026-10-02 10:00:00+00:00"},
                )
        assert runner.invoke(app, ["db", "downgrade", "0008"]).exit_code == 0
        with engine.connect() as connection:  # 0008 kept no counts for rows written behind its back
            assert connection.execute(text(counts)).all() == []

        upgraded = runner.invoke(app, ["db", "upgrade"])  # 0009's backfill counts the facts per channel

        assert upgraded.exit_code == 0, upgraded.output
        with engine.connect() as connection:
            per_channel = connection.execute(
                text("SELECT channel, tickets FROM metrics_month_counts WHERE measure = 'created'")
            ).all()
        assert sorted(tuple(row) for row in per_channel) == [("*", 3), ("forum", 2), ("reddit", 1)]
        assert runner.invoke(app, ["db", "downgrade", "0008"]).exit_code == 0
        with engine.connect() as connection:
            assert [tuple(row) for row in connection.execute(text(counts))] == [(202610, "created", 0, 3)]
    finally:
        engine.dispose()
