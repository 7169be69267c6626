"""The ASGI layer that applies a sandbox's fault plan to the requests of its ERP API.

It wraps the sandbox's whole app, outside Starlette's error middleware (so a dropped
connection is not turned into a ``500``), and looks only at the API's paths; the admin
endpoints under ``/sandbox/`` never fail. A fault is decided before the request reaches the
API: an error answer (or a malformed body, or a dropped connection for ``down``) never
touches the data; ``slow`` delays the request and ``reset_after_write`` lets it through
complete, then drops the connection instead of the answer. Each sandbox supplies the answer
in its ERP's own error shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Lifespan, Message, Receive, Scope, Send

from erp_sandbox.faults.injector import Decision, FaultInjector
from erp_sandbox.faults.wire import describe, drop_connection

FaultAnswer = Callable[[Scope, Decision], Response]
"""The ERP's answer to a request that meets ``down``, ``error_burst``, ``throttle`` or
``malformed``."""


class FaultLayer:
    """Applies ``injector``'s plan to requests whose path starts with ``prefix``.

    ``refused`` (if given) is told of each request a fault answers or drops before the API
    sees it, so the sandbox's request count includes them.
    """

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        *,
        prefix: str,
        answer: FaultAnswer,
        refused: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self._injector = injector
        self._prefix = prefix
        self._answer = answer
        self._refused = refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self._prefix):
            await self.app(scope, receive, send)
            return
        decision = self._injector.decide(describe(scope))
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        fault = decision.fault
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.kind == "reset_after_write":
            await self._lose_answer(scope, receive, send)
            return
        if self._refused is not None:
            self._refused()
        if fault.kind == "down" and fault.disconnect:
            await drop_connection(receive, send)
            return
        await self._answer(scope, decision)(scope, receive, send)

    async def _lose_answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request completely, then drop the connection instead of answering."""
        start: Message | None = None

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, capture)
        await drop_connection(receive, send, start)


class Faulted(Protocol):
    """A sandbox with a fault plan."""

    faults: FaultInjector


class FaultedApp(Starlette):
    """A sandbox's Starlette app with a :class:`FaultLayer` outside everything
    (``app.state.sandbox`` is the sandbox); ``prefix``, ``answer`` and ``refused`` as there."""

    def __init__(
        self,
        sandbox: Faulted,
        routes: list[BaseRoute],
        lifespan: Lifespan[Starlette] | None = None,
        *,
        prefix: str,
        answer: FaultAnswer,
        refused: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(routes=routes, lifespan=lifespan)
        self.state.sandbox = sandbox
        self._faults = sandbox.faults
        self._prefix, self._answer, self._refused = prefix, answer, refused

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's middleware stack inside the fault layer."""
        return FaultLayer(
            super().build_middleware_stack(),
            self._faults,
            prefix=self._prefix,
            answer=self._answer,
            refused=self._refused,
        )
