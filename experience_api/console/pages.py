"""Rendering the console's pages: Jinja2 templates (autoescaped) shipped in the package,
and the headers every page carries."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from experience_api.console.guard import CSRF_FIELD, csrf_token, set_csrf_cookie
from experience_api.security.setup import CONSOLE

STATIC_PATH = "/console/static"

# No script runs on these pages, nothing is framed, and only the gateway's own origin is
# asked for anything (the stylesheet).
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@cache
def environment() -> Environment:
    """The template environment, built on first use."""
    env = Environment(
        loader=PackageLoader("experience_api.console", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["ago"] = _ago
    return env


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """``template`` filled with ``values``, the CSRF token and the static path."""
    token, new = csrf_token(request)
    signed_in = CONSOLE.cookie in request.cookies
    html = (
        environment()
        .get_template(template)
        .render(
            csrf_field=CSRF_FIELD, csrf=token, static=STATIC_PATH, signed_in=signed_in, **values
        )
    )
    response = HTMLResponse(html, status_code, headers=HEADERS)
    if new:
        set_csrf_cookie(response, request, token)
    return response


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _ago(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    seconds = max(0.0, (dt.datetime.now(dt.UTC) - value).total_seconds())
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"
