"""Test fixtures: a real database (SQLite file, or PostgreSQL when DESK_TEST_DATABASE_URL is set).

The schema is migrated once per run with Alembic; every test starts with empty tables, so HTTP and CLI
tests, which open their own connections, see exactly what the test wrote.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from communitydesk.app import create_app
from communitydesk.config import Settings
from communitydesk.db import migrate
from communitydesk.db.engine import make_engine, transaction
from communitydesk.db.models import Base
from communitydesk.runtime import Desk
from communitydesk.users import service as users
from communitydesk.users.models import User

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with minimal argon2 cost in tests; production keeps argon2-cffi's defaults."""
    from argon2 import PasswordHasher

    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original


def _test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DESK_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = _test_database_url(tmp_path_factory)
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test; also exported to the environment so CLI commands see the same database."""
    monkeypatch.setenv("DESK_ENVIRONMENT", "test")
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESK_DATABASE_URL", database_url)
    monkeypatch.delenv("DESK_CONFIG", raising=False)
    return Settings()


@pytest.fixture
def desk(settings: Settings) -> Iterator[Desk]:
    desk = Desk.open(settings)
    _empty_tables(desk)
    yield desk
    desk.close()


def _empty_tables(desk: Desk) -> None:
    with desk.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def db(desk: Desk) -> Iterator[Session]:
    """A session for arranging and checking state; commit what the code under test must see."""
    with desk.sessions() as session:
        yield session


@pytest.fixture
def app_client(desk: Desk, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, desk=desk)) as client:
        yield client


@pytest.fixture
def cli(settings: Settings) -> CliRunner:
    return CliRunner()


@dataclass
class People:
    admin: User
    advocate: User
    viewer: User
    admin_token: str
    advocate_token: str
    viewer_token: str


@pytest.fixture
def people(desk: Desk) -> People:
    """One user per role, each with an API token; every password is PASSWORD."""
    with transaction(desk.sessions) as session:
        made = {
            role: users.create(
                session, email=f"{role}@example.com", name=role.title(), role=role, password=PASSWORD
            )
            for role in ("admin", "advocate", "viewer")
        }
        tokens = {role: users.create_token(session, user, name="tests") for role, user in made.items()}
    return People(
        admin=made["admin"],
        advocate=made["advocate"],
        viewer=made["viewer"],
        admin_token=tokens["admin"],
        advocate_token=tokens["advocate"],
        viewer_token=tokens["viewer"],
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
