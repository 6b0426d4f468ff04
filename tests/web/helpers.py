"""Helpers for web tests: log in through the form, read CSRF tokens, make tickets through intake."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from tests.conftest import PASSWORD
from tests.factories import ingest, mention

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form and return the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/tickets").text)


def make_ticket(desk: Desk, external_id: str = "r1", channel: str = "reddit", **fields: Any) -> int:
    """Ingest one mention and return the id of its ticket."""
    report = ingest(desk, mention(channel, external_id, **fields))
    assert report.new == 1, report
    with desk.sessions() as session:
        ticket_id = session.scalar(select(Mention.ticket_id).where(Mention.external_id == external_id))
    assert ticket_id is not None
    return ticket_id
