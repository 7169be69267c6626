"""The endpoints every sandbox has beside its ERP API, under ``/sandbox``.

``GET /sandbox/health`` (open), and behind the sandbox's admin credentials (HTTP basic, a
401 with the sandbox's realm otherwise): ``GET /sandbox/stats``, ``POST /sandbox/reset``
(the demo data again) and ``GET|POST|DELETE /sandbox/faults`` (read, replace with a JSON
plan, or clear the fault plan; see :mod:`erp_sandbox.faults`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from erp_sandbox.faults import FaultInjector, FaultPlan, FaultPlanError


class Administered(Protocol):
    """What the admin endpoints need of a sandbox (``app.state.sandbox``)."""

    faults: FaultInjector

    def stats(self) -> Mapping[str, Any]: ...

    def reset(self) -> None: ...


class SandboxAdmin:
    """The admin endpoints of one sandbox: ``authorized`` tells a request carrying its admin
    credentials; ``realm`` names the sandbox in the 401's challenge."""

    def __init__(self, authorized: Callable[[Request], bool], realm: str) -> None:
        self.authorized = authorized
        self._realm = realm

    def denied(self) -> Response:
        return JSONResponse(
            {"error": "authentication required"},
            401,
            headers={"WWW-Authenticate": f'Basic realm="{self._realm}"'},
        )

    def routes(self) -> list[Route]:
        return [
            Route("/sandbox/health", _health, methods=["GET"]),
            Route("/sandbox/stats", self._stats, methods=["GET"]),
            Route("/sandbox/reset", self._reset, methods=["POST"]),
            Route("/sandbox/faults", self._faults, methods=["GET", "POST", "DELETE"]),
        ]

    async def _stats(self, request: Request) -> Response:
        """Request count and record counts."""
        if not self.authorized(request):
            return self.denied()
        return JSONResponse(dict(_sandbox(request).stats()))

    async def _reset(self, request: Request) -> Response:
        """Restore the demo data."""
        if not self.authorized(request):
            return self.denied()
        sandbox = _sandbox(request)
        sandbox.reset()
        return JSONResponse({"status": "reset", **sandbox.stats()})

    async def _faults(self, request: Request) -> Response:
        """Read (GET), replace (POST, JSON plan) or clear (DELETE) the fault plan."""
        if not self.authorized(request):
            return self.denied()
        injector = _sandbox(request).faults
        if request.method == "POST":
            try:
                plan = FaultPlan.from_json(await request.json())
            except ValueError as error:  # invalid JSON or FaultPlanError
                message = str(error) if isinstance(error, FaultPlanError) else "body is not JSON"
                return JSONResponse({"error": f"invalid fault plan: {message}"}, 400)
            injector.set(plan)
        elif request.method == "DELETE":
            injector.clear()
        return JSONResponse(injector.describe())


async def _health(request: Request) -> Response:
    """Liveness of the sandbox."""
    return JSONResponse({"status": "ok"})


def _sandbox(request: Request) -> Administered:
    sandbox: Administered = request.app.state.sandbox
    return sandbox
