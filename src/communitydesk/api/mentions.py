"""Mentions: list them, post new ones through the intake seam, inspect what intake refused."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import Field, WithJsonSchema

from communitydesk.api.deps import DbSession, DeskDep, require_api_editor
from communitydesk.api.errors import EDITORS_ONLY
from communitydesk.api.pagination import NO_NUL, PageParams
from communitydesk.api.schemas import MentionPage, RejectOut, RejectPage
from communitydesk.experts.answers import ExpertWatch
from communitydesk.mentions import service as mentions
from communitydesk.mentions.intake import ingest_rows
from communitydesk.mentions.schemas import IntakeReport, MentionIn, MentionOut

MAX_MENTIONS = 1000
REJECT_SOURCE = "api"

router = APIRouter(prefix="/mentions", tags=["mentions"])

_MENTION_SCHEMA = MentionIn.model_json_schema()

# Items are checked one by one by intake, so one bad item is reported instead of failing the request;
# the OpenAPI schema still shows what an item should look like.
MentionPayload = Annotated[
    dict[str, Any] | Annotated[list[Any], Field(max_length=MAX_MENTIONS)],
    WithJsonSchema(
        {
            "anyOf": [
                _MENTION_SCHEMA,
                {"type": "array", "items": _MENTION_SCHEMA, "maxItems": MAX_MENTIONS},
            ]
        }
    ),
    Body(description=f"One mention, or a list of at most {MAX_MENTIONS}."),
]


@router.get("")
def list_mentions(
    db: DbSession,
    page: PageParams,
    source: Annotated[
        str | None, Query(pattern=NO_NUL, description="Only mentions from this source.")
    ] = None,
) -> MentionPage:
    """List mentions, newest first, one page at a time."""
    rows = mentions.get_page(db, source=source, before_id=page.before_id, limit=page.fetch)
    items, next_cursor = page.split(rows)
    return MentionPage(items=[MentionOut.model_validate(row) for row in items], next_cursor=next_cursor)


@router.post(
    "",
    dependencies=[Depends(require_api_editor)],
    responses={
        **EDITORS_ONLY,
        422: {"description": "The body is not a JSON object or list, or has too many items; nothing stored."},
    },
)
def post_mentions(desk: DeskDep, payload: MentionPayload) -> IntakeReport:
    """Store mentions and put them on tickets; posting the same mention again changes nothing.

    Answers 200 with the intake report whenever the body is a JSON object or a list, even when items
    were refused: each refused item is named in `errors` by its place in the request (`request[3]`, or
    `request` for a single object), kept for inspection at /api/v1/mentions/rejects, and does not stop
    the others.
    """
    rows: list[tuple[str, str | dict[str, Any]]]
    if isinstance(payload, dict):
        rows = [("request", payload)]
    else:
        # intake reads text as JSON, so anything but an object goes in as its JSON text and is refused.
        rows = [
            (f"request[{n}]", item if isinstance(item, dict) else json.dumps(item))
            for n, item in enumerate(payload)
        ]
    return ingest_rows(
        desk.sessions,
        rows,
        source=REJECT_SOURCE,
        company_names=desk.settings.company_names,
        watch=ExpertWatch.of(desk.settings, desk.macros),
    )


@router.get("/rejects", dependencies=[Depends(require_api_editor)], responses=EDITORS_ONLY)
def list_rejects(
    db: DbSession,
    page: PageParams,
    source: Annotated[
        str | None,
        Query(pattern=NO_NUL, description=f"Only rejects from this source ('{REJECT_SOURCE}' for this API)."),
    ] = None,
) -> RejectPage:
    """List rows intake refused, newest first, for admins and advocates (they hold raw payloads)."""
    rows = mentions.get_reject_page(db, source=source, before_id=page.before_id, limit=page.fetch)
    items, next_cursor = page.split(rows)
    return RejectPage(items=[RejectOut.model_validate(row) for row in items], next_cursor=next_cursor)
