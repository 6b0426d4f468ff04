"""Tags in use."""

from __future__ import annotations

from fastapi import APIRouter

from communitydesk.api.deps import DbSession
from communitydesk.api.schemas import TagCount
from communitydesk.tickets import service as tickets

router = APIRouter(tags=["tags"])


@router.get("/tags")
def list_tags(db: DbSession) -> list[TagCount]:
    """List every tag in use with its ticket count, most used first."""
    return [TagCount(name=name, count=count) for name, count in tickets.tag_counts(db)]
