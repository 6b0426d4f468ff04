"""Helpers for REST API tests: arrange tickets through intake, as real mentions arrive."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from tests.factories import ingest


def ticket_ids(desk: Desk, *rows: dict[str, Any]) -> list[int]:
    """Ingest mention rows and return the ids of their tickets, in row order."""
    report = ingest(desk, *rows)
    assert report.new == len(rows), report.errors
    with desk.sessions() as session:
        stored = session.execute(select(Mention.external_id, Mention.ticket_id)).all()
    by_external_id = {external_id: ticket_id for external_id, ticket_id in stored}
    ids = [by_external_id[row["external_id"]] for row in rows]
    assert None not in ids
    return [ticket_id for ticket_id in ids if ticket_id is not None]


def get_ok(client: TestClient, url: str, headers: dict[str, str], **params: Any) -> Any:
    """GET a URL, check it answered 200, and return the JSON body."""
    response = client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()
