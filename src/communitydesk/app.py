"""The web application: HTML pages for advocates and the REST API, from one FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from communitydesk import __version__
from communitydesk.api.routes import router as api_router
from communitydesk.config import Settings
from communitydesk.integrations.discourse.webhook import router as discourse_webhook_router
from communitydesk.integrations.slack.webhook import router as slack_webhook_router
from communitydesk.runtime import Desk
from communitydesk.web.routes import router as web_router

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings, desk: Desk | None = None) -> FastAPI:
    """Build the app for these settings; the database must already be migrated."""
    app = FastAPI(
        title="Community Desk",
        version=__version__,
        description="Mentions, tickets, macros and expert outreach for a company's community team.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.desk = desk or Desk.open(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="desk_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api_router)
    app.include_router(web_router)
    app.include_router(discourse_webhook_router)
    app.include_router(slack_webhook_router)
    return app
