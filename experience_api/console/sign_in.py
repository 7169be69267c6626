"""Signing in to the console from a browser: the administrator pastes a bearer token (from
the identity provider, or ``erp-gateway token --role admin`` in local mode) once; it is
checked as every request's token is, and kept in an ``HttpOnly``, ``SameSite=Strict``
cookie scoped to the console, which the authentication middleware reads on the console's
paths. Signing out (or the token expiring) ends it.

In local mode the developer on loopback needs none of this.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from experience_api.console.guard import CONSOLE_PATH, posted_form
from experience_api.console.pages import render
from experience_api.security.authenticator import (
    Authenticator,
    MalformedAuthorization,
    MissingToken,
)
from experience_api.security.jwks import KeysUnavailable
from experience_api.security.permissions import Scope
from experience_api.security.setup import CONSOLE
from experience_api.security.tokens import InvalidToken


async def sign_in_page(request: Request) -> Response:
    return render(request, "sign_in.html")


async def sign_in(request: Request) -> Response:
    fields = await posted_form(request)
    token = "".join(fields.get("token", "").split())
    authenticator: Authenticator = request.app.state.authenticator
    try:
        if not token:
            raise MissingToken
        client = request.client.host if request.client else None
        principal = await authenticator.authenticate(f"Bearer {token}", client)
    except (MissingToken, MalformedAuthorization):
        return render(request, "sign_in.html", 400, error="Paste a bearer token.")
    except InvalidToken as exc:
        return render(request, "sign_in.html", 401, error=f"The token is refused: {exc}.")
    except KeysUnavailable:
        error = "The token issuer's keys cannot be read right now; try again later."
        return render(request, "sign_in.html", 503, error=error)
    if not principal.has(Scope.ADMIN):
        error = "This token lacks the admin role: the console is for administrators."
        return render(request, "sign_in.html", 403, error=error)
    response = RedirectResponse(CONSOLE_PATH, 303)
    response.set_cookie(
        CONSOLE.cookie,
        token,
        path=CONSOLE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def sign_out(request: Request) -> Response:
    await posted_form(request)
    response = RedirectResponse(CONSOLE.sign_in, 303)
    response.delete_cookie(CONSOLE.cookie, path=CONSOLE_PATH, httponly=True, samesite="strict")
    return response
