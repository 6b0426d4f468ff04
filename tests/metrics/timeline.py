"""Build ticket histories at chosen moments through the services intake and macros use.

The clock is moved with time-machine (it patches the standard library's clock, not our code), so every
audit event, tag and link carries the time the scenario says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import time_machine

from communitydesk.db.engine import transaction
from communitydesk.macros.service import apply_macro
from communitydesk.outreach.responses import ExpertAnswer, apply_expert_response
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket
from communitydesk.tickets.schemas import Actor
from tests.api.helpers import ticket_ids
from tests.factories import mention


class Timeline:
    """A desk and an advocate acting on tickets at given times."""

    def __init__(self, desk: Desk, advocate: Actor) -> None:
        self.desk = desk
        self.advocate = advocate
        self._count = 0

    @contextmanager
    def _at(self, when: datetime) -> Iterator[None]:
        with time_machine.travel(when, tick=False):
            yield

    @contextmanager
    def _ticket(self, ticket_id: int, when: datetime) -> Iterator[tuple[Any, Ticket]]:
        with self._at(when), transaction(self.desk.sessions) as session:
            ticket = tickets.get(session, ticket_id)
            assert ticket is not None
            yield session, ticket

    def ticket(self, channel: str, when: datetime, **fields: str) -> int:
        """Ingest a mention made at `when` (its ticket is created then) and set custom fields."""
        self._count += 1
        row = mention(channel, f"m{self._count}", created_at=when.isoformat())
        with self._at(when):
            (ticket_id,) = ticket_ids(self.desk, row)
        for field, value in fields.items():
            with self._ticket(ticket_id, when) as (session, ticket):
                tickets.set_field(session, ticket, field, value, actor=self.advocate)
        return ticket_id

    def macro(self, ticket_id: int, name: str, when: datetime, **variables: str) -> None:
        with self._ticket(ticket_id, when) as (session, ticket):
            apply_macro(session, ticket, self.desk.macros[name], actor=self.advocate, variables=variables)

    def expert_answer(self, ticket_id: int, expert: str, when: datetime, url: str) -> None:
        answer = ExpertAnswer(expert_name=expert, url=url, names_company=True)
        with self._ticket(ticket_id, when) as (session, ticket):
            apply_expert_response(session, ticket, answer, macros=self.desk.macros, actor=self.advocate)

    def tag(self, ticket_id: int, name: str, when: datetime) -> None:
        with self._ticket(ticket_id, when) as (session, ticket):
            tickets.add_tags(session, ticket, [name], actor=self.advocate)

    def note(self, ticket_id: int, body: str, when: datetime) -> None:
        with self._ticket(ticket_id, when) as (session, ticket):
            tickets.add_note(session, ticket, body, actor=self.advocate)

    def solve(self, ticket_id: int, when: datetime) -> None:
        with self._ticket(ticket_id, when) as (session, ticket):
            tickets.set_status(session, ticket, "solved", actor=self.advocate)

    def link(self, ticket_id: int, kind: str, url: str, when: datetime) -> None:
        with self._ticket(ticket_id, when) as (session, ticket):
            tickets.link(session, ticket, kind=kind, url=url, actor=self.advocate)
