"""A local Zendesk: the incremental cursor ticket export (basic auth with an API token, 429 + Retry-After)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

JSON_TYPE = "application/json; charset=utf-8"
BASE_TIME = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)


def zendesk_ticket(
    ticket_id: int, subject: str, *, tags: list[str] | None = None, minutes: int = 0
) -> dict[str, Any]:
    """Return a ticket as the incremental export lists it."""
    created = (BASE_TIME + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json",
        "id": ticket_id,
        "external_id": None,
        "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": created,
        "updated_at": created,
        "generated_timestamp": int((BASE_TIME + timedelta(minutes=minutes)).timestamp()),
        "type": "question",
        "subject": subject,
        "raw_subject": subject,
        "description": f"{subject}\n\nWe run GitLab 17.4 self-managed.",
        "priority": "normal",
        "status": "open",
        "recipient": None,
        "requester_id": 9000 + ticket_id,
        "submitter_id": 9000 + ticket_id,
        "assignee_id": None,
        "organization_id": 361,
        "group_id": 20,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": tags or [],
        "custom_fields": [],
        "satisfaction_rating": None,
        "sharing_agreement_ids": [],
        "custom_status_id": 1,
        "fields": [],
        "followup_ids": [],
        "ticket_form_id": 1,
        "brand_id": 2,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }


@dataclass
class FakeZendesk:
    server: HTTPServer
    tickets: list[dict[str, Any]] = field(default_factory=list)
    email: str = "agent@acme.com"
    api_token: str = "zendesk-token"
    per_page: int = 3
    throttle: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeZendesk:
        self.server.expect_request("/api/v2/incremental/tickets/cursor.json").respond_with_handler(
            self._export
        )
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/v2")

    def _export(self, request: Request) -> Response:
        args = {key: request.args[key] for key in request.args}
        cursor = args.get("cursor", "")
        with self._lock:
            if cursor in self.throttle:
                self.throttle.discard(cursor)
                body = {
                    "error": "APIRateLimitExceeded",
                    "description": "Number of allowed incremental export API requests per minute exceeded",
                }
                return Response(
                    json.dumps(body), status=429, headers={"Retry-After": "60"}, content_type=JSON_TYPE
                )
            self.requests.append(args)
        expected = "Basic " + base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return Response(
                json.dumps({"error": "Couldn't authenticate you"}), status=401, content_type=JSON_TYPE
            )
        ordered = sorted(self.tickets, key=lambda t: (t.get("generated_timestamp") or 0, t.get("id") or 0))
        if cursor:
            offset = int(base64.b64decode(cursor).decode())
        else:
            start = int(args.get("start_time", "0"))
            offset = next(
                (n for n, t in enumerate(ordered) if (t.get("generated_timestamp") or 0) >= start),
                len(ordered),
            )
        page = ordered[offset : offset + self.per_page]
        after = base64.b64encode(str(offset + len(page)).encode()).decode()
        answer: dict[str, Any] = {
            "tickets": page,
            "after_url": f"{self.base_url}/incremental/tickets/cursor.json?cursor={after}",
            "after_cursor": after,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": offset + len(page) >= len(ordered),
        }
        return Response(json.dumps(answer), content_type=JSON_TYPE)
