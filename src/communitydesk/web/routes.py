"""HTML pages for advocates: login, the ticket queue and the ticket page (server-rendered, htmx)."""

from fastapi import APIRouter

from communitydesk.web.errors import PageRoute
from communitydesk.web.pages import actions, docs, login, metrics, outreach, queue, routing, ticket

router = APIRouter(include_in_schema=False, route_class=PageRoute)
for page in (login, queue, ticket, actions, docs, routing, outreach, metrics):
    router.include_router(page.router)
