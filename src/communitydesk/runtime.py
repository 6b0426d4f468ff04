"""The running desk: settings plus the engine, session factory and macros built from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from communitydesk.config import Settings
from communitydesk.db.engine import make_engine, make_session_factory
from communitydesk.macros.loader import load_macros
from communitydesk.macros.schemas import Macro


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    macros: Mapping[str, Macro]

    @classmethod
    def open(cls, settings: Settings) -> Desk:
        """Connect to the configured database and load macros (the schema is not touched)."""
        engine = make_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            macros=load_macros(settings.macros_file),
        )

    def close(self) -> None:
        self.engine.dispose()
