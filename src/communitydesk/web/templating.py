"""Jinja templates (autoescaped), the filters pages use, and the headers every page carries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.templating import Jinja2Templates

from communitydesk import __version__
from communitydesk.web import present
from communitydesk.web.csrf import FORM_FIELD, HEADER, csrf_token
from communitydesk.web.flash import pop_flashes

TEMPLATES_DIR = Path(__file__).with_name("templates")

# Community text is hostile: no inline script or style may run, and nothing loads from elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_LINK = Markup('<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>')


def http_url(value: object) -> str | None:
    """Return the value if it is an http(s) URL, fit for an href; anything else (javascript:...) is None."""
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        return value
    return None


def when(value: datetime | None) -> str:
    """Format an aware datetime for people: 2026-10-01 12:00 UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def linkify(text: str) -> Markup:
    """Escape text and make its http(s) URLs clickable; every other character stays text."""
    parts: list[Markup] = []
    last = 0
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]")
        parts += [escape(text[last : match.start()]), _LINK.format(url)]
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(http_url=http_url, when=when, linkify=linkify, channel=present.channel_label)
    env.globals.update(
        csrf_field=FORM_FIELD, csrf_header=HEADER, version=__version__, field_label=present.field_label
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a whole page: the layout needs the user, the CSRF token and the queued messages."""
    page: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
    }
    page.update(context or {})
    return templates.TemplateResponse(
        request, name, page, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})}
    )


def render_fragment(
    request: Request, name: str, context: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
) -> Response:
    """Render part of a page for an htmx swap (queued messages stay queued)."""
    return templates.TemplateResponse(
        request, name, dict(context), headers={**PAGE_HEADERS, **(headers or {})}
    )
