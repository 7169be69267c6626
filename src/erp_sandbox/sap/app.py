"""The SAP sandbox as an ASGI application.

Routes:

* ``/sap/opu/odata/sap/<SERVICE>/...``: the OData services (see :mod:`erp_sandbox.sap.gateway`).
* ``GET /sandbox/health``: liveness, without authentication.
* ``GET /sandbox/stats``: request count and rows per entity set (basic auth).
* ``POST /sandbox/reset``: back to the seed (basic auth).
* ``POST /sandbox/csrf/expire``: invalidate every CSRF token (basic auth).

The data is initialised when the app is created, not in the ASGI lifespan, so the app also
works in-process through ``httpx.ASGITransport``; the lifespan only closes the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from erp_sandbox.sap.gateway import PREFIX, odata_endpoint
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.security import credentials_match
from erp_sandbox.sap.settings import SandboxSettings

ODATA_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _authorized(request: Request) -> bool:
    settings = _sandbox(request).settings
    header = request.headers.get("authorization")
    return credentials_match(header, settings.username, settings.password)


def _denied() -> Response:
    return JSONResponse(
        {"error": "authentication required"},
        401,
        headers={"WWW-Authenticate": 'Basic realm="SAP sandbox"'},
    )


async def health(request: Request) -> Response:
    """Liveness of the sandbox."""
    return JSONResponse({"status": "ok"})


async def stats(request: Request) -> Response:
    """Request count and row counts per entity set."""
    if not _authorized(request):
        return _denied()
    return JSONResponse(_sandbox(request).stats())


async def reset(request: Request) -> Response:
    """Restore the seed data."""
    if not _authorized(request):
        return _denied()
    sandbox = _sandbox(request)
    sandbox.reset()
    return JSONResponse({"status": "reset", **sandbox.stats()})


async def expire_csrf(request: Request) -> Response:
    """Invalidate every CSRF token."""
    if not _authorized(request):
        return _denied()
    _sandbox(request).expire_csrf_tokens()
    return JSONResponse({"status": "expired"})


def create_app(settings: SandboxSettings | None = None) -> Starlette:
    """A Starlette app serving a sandbox made from ``settings`` (seeded if needed)."""
    sandbox = Sandbox(settings or SandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    routes = [
        Route(PREFIX + "{path:path}", odata_endpoint, methods=ODATA_METHODS),
        Route("/sandbox/health", health, methods=["GET"]),
        Route("/sandbox/stats", stats, methods=["GET"]),
        Route("/sandbox/reset", reset, methods=["POST"]),
        Route("/sandbox/csrf/expire", expire_csrf, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app
