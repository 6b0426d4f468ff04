"""REST API v1: every route needs a bearer token; writes need an admin or advocate."""

from fastapi import APIRouter, Depends

from communitydesk.api import docs, macros, mentions, metrics, outreach, routing, tags, tickets, users
from communitydesk.api.deps import get_api_user

router = APIRouter(
    prefix="/api/v1",
    # On the router, so no route can forget it; handlers that need the user get the same cached value.
    dependencies=[Depends(get_api_user)],
    responses={401: {"description": "Missing or invalid API token."}},
)
for feature in (tickets, macros, mentions, tags, users, docs, routing, outreach, metrics):
    router.include_router(feature.router)
