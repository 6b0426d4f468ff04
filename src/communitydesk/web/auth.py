"""Who is logged in to the web pages, and whether they may change anything."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from communitydesk.api.deps import DbSession
from communitydesk.users import service as users
from communitydesk.users.models import User
from communitydesk.web.csrf import CsrfChecked, rotate_csrf_token

# The signed cookie carries only the id of a row in web_sessions: logging out deletes the row.
SESSION_ID = "sid"


class LoginRequired(Exception):
    """Nobody is logged in; the page answers with a redirect to the login form."""


def safe_next(value: str | None, default: str = "/") -> str:
    """Return `value` if it is a path on this site, else `default` (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return default
    parts = urlsplit(value)
    return default if parts.scheme or parts.netloc else value


def login_url(request: Request) -> str:
    """Return the login URL that brings the user back to this page (GET requests only)."""
    if request.method != "GET":
        return "/login"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else f"/login?next={quote(here, safe='')}"


def get_current_user(request: Request, db: DbSession) -> User:
    """Return the logged-in, active user, or raise LoginRequired."""
    token = request.session.get(SESSION_ID)
    max_age = request.app.state.desk.settings.session_max_age_seconds
    user = users.user_for_web_session(db, token, max_age_seconds=max_age) if isinstance(token, str) else None
    if user is None:
        request.session.pop(SESSION_ID, None)
        raise LoginRequired
    request.state.user = user  # for the page layout, including error pages
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_editor(user: CurrentUser, _csrf: CsrfChecked) -> User:
    """Return the user of a CSRF-checked request if their role may change tickets, else answer 403."""
    if not user.can_edit:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"Your role ({user.role}) can read the desk but not change it."
        )
    return user


Editor = Annotated[User, Depends(get_editor)]


def log_in(request: Request, db: Session, user: User) -> None:
    """Start a fresh session for a user who proved their password (the caller commits)."""
    request.session.clear()
    request.session[SESSION_ID] = users.start_web_session(db, user)
    rotate_csrf_token(request)


def is_logged_in(request: Request, db: Session) -> bool:
    try:
        get_current_user(request, db)
    except LoginRequired:
        return False
    return True


def log_out(request: Request, db: Session) -> None:
    """End the session here and in the database, so a copy of the cookie is worth nothing (caller commits)."""
    token = request.session.get(SESSION_ID)
    if isinstance(token, str):
        users.end_web_session(db, token)
    request.session.clear()
