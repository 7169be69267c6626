"""The SAP sandbox as an ASGI application.

Routes:

* ``/sap/opu/odata/sap/<SERVICE>/...``: the OData services (see :mod:`erp_sandbox.sap.gateway`).
* ``/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001/...``: the OData
  v4 billing document API's ``CreateFromSDDocument`` (see :mod:`erp_sandbox.sap.billing_v4`).
* ``/odata/v2/<EntitySet>...``: SuccessFactors Employee Central, its own system with its own
  user (see :mod:`erp_sandbox.sap.successfactors`).
* ``GET /sandbox/health``: liveness, without authentication.
* ``GET /sandbox/stats``: request count and rows per entity set (basic auth).
* ``POST /sandbox/reset``: back to the seed (basic auth).
* ``POST /sandbox/csrf/expire``: invalidate every CSRF token (basic auth).
* ``POST /sandbox/billing/<BillingDocument>/paid``: the customer paid the billing document;
  its clearing status becomes ``C`` (basic auth; see :mod:`erp_sandbox.sap.billing`).
* ``GET /sandbox/faults``: the fault plan and its counters; ``POST /sandbox/faults`` with a
  JSON plan (``{"seed": 7, "faults": [{"kind": "throttle", "count": 2}]}``) replaces it,
  ``DELETE /sandbox/faults`` removes every fault (basic auth; see :mod:`erp_sandbox.admin`
  and :mod:`erp_sandbox.faults.plan`).

The fault layer (:mod:`erp_sandbox.faults.layer`, with SAP's answers from
:mod:`erp_sandbox.sap.fault_layer`) wraps the whole app and only ever touches the OData
paths, never the ``/sandbox/`` endpoints.

The data is initialised when the app is created, not in the ASGI lifespan, so the app also
works in-process through ``httpx.ASGITransport``; the lifespan only closes the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from erp_sandbox.admin import SandboxAdmin
from erp_sandbox.basic_auth import credentials_match
from erp_sandbox.faults import FaultedApp
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.sap.billing import clear_billing_document
from erp_sandbox.sap.billing_v4 import ROOT as BILLING_V4_ROOT
from erp_sandbox.sap.billing_v4 import billing_v4_endpoint
from erp_sandbox.sap.fault_layer import fault_response
from erp_sandbox.sap.gateway import PREFIX, odata_endpoint
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.settings import SandboxSettings
from erp_sandbox.sap.successfactors import SF_PREFIX, successfactors_endpoint

ODATA_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _authorized(request: Request) -> bool:
    settings = _sandbox(request).settings
    header = request.headers.get("authorization")
    return credentials_match(header, settings.username, settings.password)


ADMIN = SandboxAdmin(_authorized, "SAP sandbox")


async def expire_csrf(request: Request) -> Response:
    """Invalidate every CSRF token."""
    if not _authorized(request):
        return ADMIN.denied()
    _sandbox(request).expire_csrf_tokens()
    return JSONResponse({"status": "expired"})


async def mark_paid(request: Request) -> Response:
    """Clear a billing document as if its payment had been posted in accounting."""
    if not _authorized(request):
        return ADMIN.denied()
    sandbox = _sandbox(request)
    document = str(request.path_params["document"]).lstrip("0") or "0"
    try:
        with sandbox.store.write() as tx:
            row = clear_billing_document(tx, document, sandbox.now())
    except ODataError as error:
        return JSONResponse({"error": error.message, "code": error.code}, error.status)
    return JSONResponse(
        {
            "BillingDocument": row["BillingDocument"],
            "InvoiceClearingStatus": row["InvoiceClearingStatus"],
            "LastChangeDateTime": row["LastChangeDateTime"].isoformat(),
        }
    )


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """A Starlette app serving a sandbox made from ``settings`` (seeded if needed)."""
    sandbox = Sandbox(settings or SandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    routes: list[BaseRoute] = [
        Route(PREFIX + "{path:path}", odata_endpoint, methods=ODATA_METHODS),
        Route(BILLING_V4_ROOT + "{path:path}", billing_v4_endpoint, methods=ODATA_METHODS),
        Route(SF_PREFIX + "{path:path}", successfactors_endpoint, methods=["GET", "HEAD"]),
        *ADMIN.routes(),
        Route("/sandbox/csrf/expire", expire_csrf, methods=["POST"]),
        Route("/sandbox/billing/{document}/paid", mark_paid, methods=["POST"]),
    ]
    return FaultedApp(
        sandbox,
        routes,
        lifespan,
        prefix=PREFIX,
        answer=fault_response,
        refused=sandbox.count_request,
    )
