"""The NetSuite sandbox as an ASGI application.

Routes:

* ``/services/rest/record/v1/...`` and ``POST /services/rest/query/v1/suiteql``: SuiteTalk
  REST (see :mod:`erp_sandbox.netsuite.api`), Token-Based Authentication only.
* ``GET /sandbox/health``: liveness, without authentication.
* ``GET /sandbox/stats``, ``POST /sandbox/reset`` (back to the demo data), ``GET|POST|DELETE
  /sandbox/faults`` (the fault plan, in the SAP sandbox's shape): basic authentication with
  the access token's id and secret. ``POST /sandbox/invoices/<id>/paid``: the invoice is paid
  in full (same authentication).

The fault layer wraps the app and touches only ``/services/rest/`` requests: faults are
decided before authentication, like an outage in front of NetSuite, and answered with
NetSuite's error bodies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from erp_sandbox.admin import SandboxAdmin
from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.faults import (
    FAULT_HEADER,
    TRUNCATED_JSON,
    Decision,
    FaultedApp,
)
from erp_sandbox.netsuite.api import REST, endpoint, error_response
from erp_sandbox.netsuite.closing import pay_invoice
from erp_sandbox.netsuite.errors import NsError
from erp_sandbox.netsuite.sandbox import Sandbox
from erp_sandbox.netsuite.settings import SandboxSettings

METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _authorized(request: Request) -> bool:
    settings = _sandbox(request).settings
    header = request.headers.get("authorization")
    return credentials_match(header, settings.token_id, settings.token_secret)


ADMIN = SandboxAdmin(_authorized, "NetSuite sandbox")


async def mark_paid(request: Request) -> Response:
    """The customer paid the invoice in full (status B, as a customer payment applied to it
    would leave it)."""
    if not _authorized(request):
        return ADMIN.denied()
    sandbox = _sandbox(request)
    try:
        with sandbox.store.write() as db:
            pay_invoice(db, int(request.path_params["invoice"]), sandbox.now())
    except NsError as error:
        return error_response(error)
    return JSONResponse({"id": str(request.path_params["invoice"]), "status": "B"})


def fault_response(scope: Scope, decision: Decision) -> Response:
    """NetSuite's answer to an injected fault (other than a dropped connection)."""
    fault = decision.fault
    assert fault is not None
    headers: dict[str, str] = {FAULT_HEADER: fault.kind}
    if fault.kind == "malformed":
        if fault.body == "truncated":
            return Response(TRUNCATED_JSON, 200, headers, media_type="application/json")
        page = b"<html><body><h1>NetSuite is undergoing maintenance</h1></body></html>"
        return Response(page, 200, headers, media_type="text/html")
    if fault.kind == "throttle":
        error = NsError(
            429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."
        )
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
    elif fault.kind == "down":
        error = NsError(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.")
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
    else:
        error = NsError(decision.status, "UNEXPECTED_ERROR", "An unexpected error occurred.")
    answer = error_response(error)
    answer.headers.update(headers)
    return answer


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """A Starlette app serving a sandbox made from ``settings`` (seeded if needed)."""
    sandbox = Sandbox(settings or SandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    routes: list[BaseRoute] = [
        Route(REST + "/{path:path}", endpoint, methods=METHODS),
        *ADMIN.routes(),
        Route("/sandbox/invoices/{invoice:int}/paid", mark_paid, methods=["POST"]),
    ]
    return FaultedApp(sandbox, routes, lifespan, prefix=REST, answer=fault_response)
