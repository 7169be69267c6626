"""Who may use the console, and the checks every form post passes.

The console sits behind the same authentication middleware as the API, so the caller is
``request.state.principal`` (in local mode a tokenless caller on loopback is the local
developer); it asks for the ``admin`` scope.

Forms that change something carry a CSRF token: a random value in a ``SameSite=Strict``,
``HttpOnly`` cookie scoped to the console, repeated in a hidden field (double submit). A
post whose field does not match its cookie, or whose ``Origin`` names another site, is
refused before anything runs.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from experience_api.security.permissions import Scope
from experience_api.security.principal import Principal

CONSOLE_PATH = "/console"
CSRF_COOKIE = "console_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 256 * 1024
"""A quarantined payload edited in a form is far below this."""


class Refused(Exception):
    """The request may not go on: ``status`` and a message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def admin(request: Request) -> Principal:
    """The caller, when it holds the admin scope; Refused (403) otherwise."""
    principal = request.state.principal if hasattr(request.state, "principal") else None
    if not isinstance(principal, Principal) or not principal.has(Scope.ADMIN):
        raise Refused(403, "The console is for administrators: this caller lacks the admin role.")
    return principal


def csrf_token(request: Request) -> tuple[str, bool]:
    """The caller's CSRF token, and whether it is new (then the page sets its cookie)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if len(current) >= 32:
        return current, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """Sets the CSRF cookie (``Secure`` when the console is served over https)."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def posted_form(request: Request) -> dict[str, str]:
    """The fields of an urlencoded form post that passed the CSRF check; Refused otherwise
    (415 for another content type, 413 when too large, 403 for a CSRF failure)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Refused(415, "The console accepts form posts (application/x-www-form-urlencoded).")
    _same_origin(request)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Refused(413, f"The form is larger than {MAX_FORM_BYTES} bytes.")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise Refused(400, "The form is not UTF-8.") from exc
    fields = {name: values[-1] for name, values in parsed.items()}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = fields.pop(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Refused(
            403, "The form's security token is missing or stale: reload the page and try again."
        )
    return fields


def _same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin with every post; without one it is a tool, and the token
        # check still applies.
        return
    # "null" (a sandboxed frame, a file) is no site of ours either.
    if urlsplit(origin).netloc.lower() != request.url.netloc.lower():
        raise Refused(403, "The form was posted from another site.")
