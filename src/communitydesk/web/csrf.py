"""Per-session CSRF tokens: a hidden `csrf_token` field in forms, an `X-CSRF-Token` header from htmx.

The token is random, kept in the signed session cookie, and rotated at login. Every state-changing
page request depends on `verify_csrf`; a missing or wrong token is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = rotate_csrf_token(request)
    return token


def rotate_csrf_token(request: Request) -> str:
    """Give the session a fresh CSRF token and return it."""
    token = secrets.token_urlsafe(32)
    request.session[SESSION_KEY] = token
    return token


def _matches(supplied: str | None, expected: str) -> bool:
    return bool(supplied) and hmac.compare_digest(str(supplied).encode(), expected.encode())


async def verify_csrf(request: Request) -> None:
    """Refuse a request whose form field or header does not carry the session's CSRF token."""
    expected = request.session.get(SESSION_KEY)
    supplied = [request.headers.get(HEADER)]
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(FORM_FIELD)
        supplied.append(value if isinstance(value, str) else None)
    if not isinstance(expected, str) or not any(_matches(value, expected) for value in supplied):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="This form is stale or did not come from the desk (CSRF check failed). "
            "Reload the page and try again.",
        )


CsrfChecked = Annotated[None, Depends(verify_csrf)]
