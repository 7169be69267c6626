"""Microsoft Entra ID as far as the sandbox needs it: the v2.0 token endpoint for the client
credentials grant, and checking the bearer tokens the API is called with.

``POST /{tenant}/oauth2/v2.0/token`` with ``grant_type=client_credentials``, ``client_id``,
``client_secret`` and ``scope=https://api.businesscentral.dynamics.com/.default`` answers
``{"token_type": "Bearer", "expires_in": ..., "ext_expires_in": ..., "access_token": ...}``;
errors are Entra's ``{"error": "invalid_client", "error_description": "AADSTS7000215: ..."}``.
The API refuses a missing, expired, foreign-tenant or wrong-audience token with 401 and a
``WWW-Authenticate: Bearer`` challenge, as BC does.
"""

from __future__ import annotations

import hmac
import time
import uuid
from typing import Any

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from erp_sandbox.business_central.errors import BcError
from erp_sandbox.business_central.settings import AUDIENCE, SCOPE, SandboxSettings

ALGORITHM = "HS256"


def _entra_error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "error_codes": [int(description[6:].split(":")[0])],
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
        status,
    )


def issue_token(
    settings: SandboxSettings,
    *,
    audience: str = AUDIENCE,
    lifetime: int | None = None,
    tenant: str | None = None,
) -> str:
    """An access token as Entra issues it for the app (tests make odd ones with the options)."""
    now = int(time.time())
    claims = {
        "aud": audience,
        "iss": f"https://sts.windows.net/{tenant or settings.tenant}/",
        "iat": now,
        "nbf": now,
        "exp": now + (settings.token_lifetime if lifetime is None else lifetime),
        "appid": settings.client_id,
        "tid": tenant or settings.tenant,
        "roles": ["API.ReadWrite.All"],
    }
    return jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM)


async def token_endpoint(request: Request) -> Response:
    settings: SandboxSettings = request.app.state.settings
    if request.path_params["tenant"] != settings.tenant:
        return _entra_error(400, "invalid_tenant", "AADSTS90002: Tenant not found.")
    form = await request.form()
    if form.get("grant_type") != "client_credentials":
        return _entra_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type.",
        )
    if form.get("scope") != SCOPE:
        return _entra_error(
            400,
            "invalid_scope",
            f"AADSTS70011: The provided value for scope {form.get('scope')} is not valid.",
        )
    client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    if client_id != settings.client_id:
        return _entra_error(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{client_id}' was not "
            "found in the directory.",
        )
    if not hmac.compare_digest(secret.encode(), settings.client_secret.encode()):
        return _entra_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
    return JSONResponse(
        {
            "token_type": "Bearer",
            "expires_in": settings.token_lifetime,
            "ext_expires_in": settings.token_lifetime,
            "access_token": issue_token(settings),
        }
    )


def authenticate(request: Request, settings: SandboxSettings) -> dict[str, Any]:
    """The claims of the request's bearer token; BcError 401 when it is not acceptable."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("The credentials provided are incorrect")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "aud", "tid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("The access token has expired", "invalid_token") from exc
    except jwt.InvalidAudienceError as exc:
        raise _unauthorized(
            "The access token's audience is not Business Central", "invalid_token"
        ) from exc
    except jwt.PyJWTError as exc:
        raise _unauthorized("The access token is not valid", "invalid_token") from exc
    if claims["tid"] != settings.tenant:
        raise _unauthorized("The access token was issued for another tenant", "invalid_token")
    return claims


def _unauthorized(message: str, error: str | None = None) -> BcError:
    challenge = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
    if error:
        challenge += f', error="{error}"'
    return BcError(
        401, "Authentication_InvalidCredentials", message, {"WWW-Authenticate": challenge}
    )
