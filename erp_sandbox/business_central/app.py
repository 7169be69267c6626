"""The Business Central sandbox as an ASGI application.

Routes:

* ``POST /{tenant}/oauth2/v2.0/token``: Entra ID's token endpoint (client credentials).
* ``/v2.0/{tenant}/{environment}/api/v2.0/companies(...)/...``: API v2.0 (bearer token).
* ``/v2.0/{tenant}/{environment}/api/microsoft/analytics/v1.0/companies(...)/itemLedgerEntries``:
  item ledger entries with their location code.
* ``GET /sandbox/health``; ``GET /sandbox/stats``, ``POST /sandbox/reset`` and
  ``GET|POST|DELETE /sandbox/faults`` (basic auth with the app's client id and secret).

The fault layer wraps the API paths only (see :mod:`erp_sandbox.faults.plan` for plans).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Scope

from erp_sandbox.admin import SandboxAdmin
from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.business_central.api import ANALYTICS, api_endpoint
from erp_sandbox.business_central.auth import token_endpoint
from erp_sandbox.business_central.errors import BcError
from erp_sandbox.business_central.sandbox import Sandbox
from erp_sandbox.business_central.settings import SandboxSettings
from erp_sandbox.faults import FAULT_HEADER, Decision, FaultedApp

API_PREFIX = "/v2.0/"
METHODS = ["GET", "POST", "PATCH", "DELETE"]


def _admin(request: Request) -> bool:
    settings: SandboxSettings = request.app.state.settings
    header = request.headers.get("authorization")
    return credentials_match(header, settings.client_id, settings.client_secret)


ADMIN = SandboxAdmin(_admin, "BC sandbox")


def fault_response(scope: Scope, decision: Decision) -> Response:
    """Business Central's answer to an injected fault (other than a dropped connection)."""
    fault = decision.fault
    assert fault is not None
    kind, retry_after, status, body = fault.kind, fault.retry_after, decision.status, fault.body
    headers: dict[str, str] = {FAULT_HEADER: kind}
    if kind == "malformed":
        if body == "html":
            return Response(
                b"<html><body>Service Unavailable</body></html>",
                200,
                headers,
                media_type="text/html",
            )
        return Response(
            b'{"value":[{"@odata.etag":"W/', 200, headers, media_type="application/json"
        )
    if kind == "throttle":
        headers["Retry-After"] = str(1 if retry_after is None else retry_after)
        error = BcError(
            429,
            "Application_TooManyRequests",
            "The rate limit of the user was exceeded.",
            headers,
        )
    elif kind == "down":
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        error = BcError(
            503, "ServiceUnavailable", "The service is temporarily unavailable.", headers
        )
    else:
        error = BcError(
            status or 500,
            "InternalServerError",
            f"An unexpected error occurred ({status or 500}).",
            headers,
        )
    return JSONResponse(error.body(), error.status, error.headers)


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """The sandbox app, seeded; ``app.state.sandbox`` is its state (for tests and demos)."""
    settings = settings or SandboxSettings()
    sandbox = Sandbox(settings)
    app = FaultedApp(
        sandbox,
        [
            Route("/{tenant}/oauth2/v2.0/token", token_endpoint, methods=["POST"]),
            Route(
                f"/v2.0/{{tenant}}/{{environment}}/api/{ANALYTICS}/{{rest:path}}",
                api_endpoint,
                methods=METHODS,
            ),
            Route(
                "/v2.0/{tenant}/{environment}/api/v2.0/{rest:path}", api_endpoint, methods=METHODS
            ),
            *ADMIN.routes(),
        ],
        # Faults meet API requests before they are authenticated.
        prefix=API_PREFIX,
        answer=fault_response,
        refused=sandbox.count_request,
    )
    app.state.settings = settings
    return app
