"""Log in with email and password, and log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from communitydesk.api.deps import DbSession
from communitydesk.users import service as users
from communitydesk.web.auth import is_logged_in, log_in, log_out, safe_next
from communitydesk.web.csrf import CsrfChecked
from communitydesk.web.errors import PageRoute
from communitydesk.web.flash import flash
from communitydesk.web.templating import render
from communitydesk.web.throttle import LoginThrottle

router = APIRouter(route_class=PageRoute)


@router.get("/login")
def login_form(
    request: Request, db: DbSession, next_url: Annotated[str, Query(alias="next")] = "/"
) -> Response:
    """Show the login form, or go on if someone is already logged in."""
    if is_logged_in(request, db):
        return RedirectResponse(safe_next(next_url), status_code=status.HTTP_303_SEE_OTHER)
    return render(request, "login.html", {"next": safe_next(next_url), "email": "", "error": None})


@router.post("/login")
def log_in_with_password(
    request: Request,
    db: DbSession,
    _csrf: CsrfChecked,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next_url: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the password and start a session; pause an email or client after repeated failures."""
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    context = {"next": safe_next(next_url), "email": email}
    wait = throttle.retry_after(email=email, client=client)
    if wait:
        minutes = max(1, round(wait / 60))
        error = f"Too many failed logins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        return render(
            request,
            "login.html",
            {**context, "error": error},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    user = users.authenticate(db, email=email, password=password)
    if user is None:
        throttle.failed(email=email, client=client)
        context["error"] = "Wrong email or password."
        return render(request, "login.html", context, status_code=status.HTTP_400_BAD_REQUEST)
    throttle.succeeded(email=email)
    log_in(request, db, user)
    db.commit()  # the new web session, and perhaps an upgraded password hash
    return RedirectResponse(safe_next(next_url), status_code=status.HTTP_303_SEE_OTHER)


@router.post("/logout")
def log_out_of_session(request: Request, db: DbSession, _csrf: CsrfChecked) -> Response:
    """End the session."""
    log_out(request, db)
    db.commit()
    flash(request, "You are logged out.", "info")
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
