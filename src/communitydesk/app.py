"""The web application: HTML pages for advocates and the REST API, from one FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from communitydesk import __version__
from communitydesk.api.routes import router as api_router
from communitydesk.config import Settings
from communitydesk.docs.handle import IndexHandle
from communitydesk.integrations.discourse.webhook import router as discourse_webhook_router
from communitydesk.integrations.slack.webhook import router as slack_webhook_router
from communitydesk.runtime import Desk
from communitydesk.web.errors import page_or_json_error
from communitydesk.web.routes import router as web_router
from communitydesk.web.throttle import LoginThrottle

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(settings: Settings, desk: Desk | None = None) -> FastAPI:
    """Build the app for these settings; the database must already be migrated."""
    owns_desk = desk is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.docs_index.close()
        if owns_desk:
            app.state.desk.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Community Desk",
        version=__version__,
        description="Mentions, tickets, macros and expert outreach for a company's community team.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.desk = desk or Desk.open(settings)
    app.state.docs_index = IndexHandle(settings.resolved_docs_index_path)
    app.state.login_throttle = LoginThrottle(
        max_failures=settings.login_max_failures, window_seconds=settings.login_window_minutes * 60
    )
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
    app.add_exception_handler(StarletteHTTPException, page_or_json_error)
    return app
