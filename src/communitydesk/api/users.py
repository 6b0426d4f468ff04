"""The user a token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from communitydesk.api.deps import ApiUser
from communitydesk.api.schemas import MeOut

router = APIRouter(tags=["users"])


@router.get("/me")
def read_me(user: ApiUser) -> MeOut:
    """Return the user the token belongs to."""
    return MeOut.model_validate(user)
