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

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_sandbox.admin import SandboxAdmin
from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.business_central.api import ANALYTICS, api_endpoint
from erp_sandbox.business_central.auth import token_endpoint
from erp_sandbox.business_central.errors import BcError
from erp_sandbox.business_central.sandbox import Sandbox
from erp_sandbox.business_central.settings import SandboxSettings
from erp_sandbox.faults import FAULT_HEADER, describe, drop_connection

API_PREFIX = "/v2.0/"
METHODS = ["GET", "POST", "PATCH", "DELETE"]


def _admin(request: Request) -> bool:
    settings: SandboxSettings = request.app.state.settings
    header = request.headers.get("authorization")
    return credentials_match(header, settings.client_id, settings.client_secret)


ADMIN = SandboxAdmin(_admin, "BC sandbox")


class FaultLayer:
    """Applies the sandbox's fault plan to API requests, before they are authenticated."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app, self.sandbox = app, sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        decision = self.sandbox.faults.decide(describe(scope))
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        fault = decision.fault
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "reset_after_write":
            start: Message | None = None

            async def capture(message: Message) -> None:
                nonlocal start
                if message["type"] == "http.response.start":
                    start = message

            await self.app(scope, receive, capture)
            await drop_connection(receive, send, start)
            return
        self.sandbox.count_request()
        if fault.kind == "down" and fault.disconnect:
            await drop_connection(receive, send)
            return
        await self._fault_answer(fault.kind, fault.retry_after, decision.status, fault.body)(
            scope, receive, send
        )

    @staticmethod
    def _fault_answer(
        kind: str, retry_after: int | None, status: int, body: str | None
    ) -> Response:
        headers = {FAULT_HEADER: kind}
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


def create_app(settings: SandboxSettings | None = None) -> ASGIApp:
    """The sandbox app, seeded; ``app.state.sandbox`` is its state (for tests and demos)."""
    settings = settings or SandboxSettings()
    sandbox = Sandbox(settings)
    app = Starlette(
        routes=[
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
        ]
    )
    app.state.settings = settings
    app.state.sandbox = sandbox
    layered = FaultLayer(app, sandbox)
    layered.state = app.state  # type: ignore[attr-defined]
    return layered
