"""Zendesk against a local incremental export: cursor pages, a 429, a malformed ticket, tags, re-runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from communitydesk.config import Settings
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PollReport, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import decode_cursor
from communitydesk.integrations.registry import open_source
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.settings.intake import ZendeskSettings
from communitydesk.tickets.models import Ticket
from tests.fakes.server import Sleeps
from tests.fakes.zendesk import FakeZendesk, zendesk_ticket

SINCE = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeZendesk]:
    tickets = [
        zendesk_ticket(n, f"Runner question {n}", tags=["runner", "premium"], minutes=n) for n in range(1, 8)
    ]
    tickets.append({**zendesk_ticket(50, "Deleted", minutes=50), "status": "deleted"})
    tickets.append({**zendesk_ticket(51, "Broken", minutes=51), "id": "fifty-one"})
    yield FakeZendesk(httpserver, tickets=tickets).install()


def zendesk_settings(desk: Desk, fake: FakeZendesk, **section: object) -> Settings:
    values = {
        "enabled": True,
        "base_url": fake.base_url,
        "email": fake.email,
        "api_token": SecretStr(fake.api_token),
        **section,
    }
    return desk.settings.model_copy(update={"zendesk": ZendeskSettings(**values)})


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None, **kwargs: object) -> PollReport:
    with open_source("zendesk", settings, sleep=sleeps if sleeps is not None else Sleeps()) as source:
        return poll_source(desk, source, watch=rules_for(settings, "zendesk"), **kwargs)  # type: ignore[arg-type]


def test_export_pages_a_429_a_malformed_ticket_and_tags_then_a_second_run_adds_nothing(
    desk: Desk, fake: FakeZendesk
) -> None:
    first_cursor = "Mw=="  # base64 of offset 3: the second page
    fake.throttle = {first_cursor}
    settings = zendesk_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps, since=SINCE)

    assert first.error is None
    assert (first.fetched, first.new, first.rejected, first.skipped) == (9, 7, 1, 1)
    assert sleeps == [60.0]
    assert [r.get("cursor") for r in fake.requests] == [None, first_cursor, "Ng=="]
    assert fake.requests[0]["start_time"] == str(int(SINCE.timestamp()))
    with desk.sessions() as session:
        mention = session.scalars(select(Mention).where(Mention.external_id == "3")).one()
        ticket = session.get(Ticket, mention.ticket_id)
        reject = session.scalars(select(IntakeReject)).one()
        cursor = decode_cursor(intake.get_cursor(session, source="zendesk", scope="tickets"))
    assert mention.channel == "zendesk" and mention.title == "Runner question 3"
    assert mention.url == f"{fake.base_url.removesuffix('/api/v2')}/agent/tickets/3"
    assert ticket is not None and ticket.tags == ["premium", "runner"]
    assert "ticket id must be an integer" in reject.reason
    assert cursor["cursor"] == "OQ=="

    second = poll(desk, settings)
    assert (second.fetched, second.new) == (0, 0)

    updated = {**zendesk_ticket(3, "Runner question 3", tags=["runner", "escalated"], minutes=3)}
    updated["generated_timestamp"] += 10_000
    fake.tickets.append(zendesk_ticket(8, "A new one", minutes=200))
    fake.tickets.append(updated)
    third = poll(desk, settings)
    assert (third.new, third.duplicate) == (1, 1)
    with desk.sessions() as session:
        ticket = session.get(Ticket, mention.ticket_id)
        assert ticket is not None and ticket.tags == ["escalated", "premium", "runner"]


def test_wrong_token_is_a_credentials_error(desk: Desk, fake: FakeZendesk) -> None:
    report = poll(desk, zendesk_settings(desk, fake, api_token=SecretStr("bad")), since=SINCE)
    assert report.error is not None and "DESK_ZENDESK__API_TOKEN" in report.error
