"""Page routes answer in HTML: a login redirect or an error page, never a JSON error."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from communitydesk.web.auth import LoginRequired, login_url
from communitydesk.web.templating import render

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def error_page(request: Request, status_code: int, message: str) -> Response:
    return render(
        request, "error.html", {"status_code": status_code, "message": message}, status_code=status_code
    )


MACHINE_PATHS = ("/api/", "/webhooks/")


async def page_or_json_error(request: Request, exc: Exception) -> Response:
    """Errors no route handled (unknown path, wrong method): a page for people, JSON for programs."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(MACHINE_PATHS):
        return await http_exception_handler(request, exc)
    messages = {404: "There is no such page.", 405: "That page cannot be used this way."}
    response = error_page(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))
    response.headers.update(exc.headers or {})
    return response


def login_redirect(request: Request) -> Response:
    url = login_url(request)
    if request.headers.get("HX-Request"):
        # htmx would swap the login page into a fragment; make it load the whole page instead.
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _describe(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return "The request was not understood (" + "; ".join(problems) + ")."


class PageRoute(APIRoute):
    """An APIRoute whose login, permission and validation failures render pages."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except HTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail))
            except RequestValidationError as exc:
                return error_page(request, 422, _describe(exc))

        return page_handler
