"""HTML pages for advocates: login, the ticket queue and the ticket page (server-rendered, htmx)."""

from fastapi import APIRouter

from communitydesk.web.errors import PageRoute
from communitydesk.web.pages import actions, login, metrics, queue, ticket

router = APIRouter(include_in_schema=False, route_class=PageRoute)
for page in (login, queue, ticket, actions, metrics):
    router.include_router(page.router)
