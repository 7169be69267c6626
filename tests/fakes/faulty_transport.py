"""``FaultyTransport``: an httpx transport that injects network and server faults.

It sits in front of any inner transport (``httpx.ASGITransport`` over a sandbox,
``httpx.MockTransport``) and, per request, either passes it through or injects a
:class:`Fault`. Faults come from a *schedule* (one entry per eligible request, ``None`` passes
it through) and, once the schedule is used up, from seeded random draws, so a chaotic run can
be replayed. ``eligible`` narrows which requests may be hit (e.g. :func:`is_write`); the others
pass through without consuming the schedule. ``injected`` counts the faults per kind.

Faults the ERP never sees: REFUSED, SERVER_ERROR, THROTTLED. Faults after the ERP processed
the request (it did the work, the client cannot know): RESET, MALFORMED. SLOW delays, then
passes the request through.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from enum import StrEnum

import httpx

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})


class Fault(StrEnum):
    REFUSED = "refused"
    """httpx.ConnectError before anything is sent."""
    SLOW = "slow"
    """Sleeps ``slow_seconds``, then passes the request through."""
    SERVER_ERROR = "server_error"
    """``server_status`` (503) without reaching the ERP; ``Retry-After: server_retry_after``."""
    THROTTLED = "throttled"
    """429 with ``Retry-After: retry_after`` without reaching the ERP."""
    RESET = "reset"
    """The ERP processes the request, then the connection drops (``reset_error``)."""
    MALFORMED = "malformed"
    """The ERP processes the request; the client gets 200 with a body no parser accepts."""


def is_write(request: httpx.Request) -> bool:
    return request.method in WRITE_METHODS


def burst(fault: Fault, count: int, *, then_pass: int = 0) -> list[Fault | None]:
    """A schedule of ``count`` times ``fault`` followed by ``then_pass`` clean requests."""
    return [fault] * count + [None] * then_pass


class FaultyTransport(httpx.AsyncBaseTransport):
    """Injects :class:`Fault` s in front of ``inner`` (see the module doc)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        schedule: Iterable[Fault | None] = (),
        probabilities: Mapping[Fault, float] | None = None,
        seed: int = 0,
        eligible: Callable[[httpx.Request], bool] | None = None,
        slow_seconds: float = 1.0,
        server_status: int = 503,
        retry_after: int = 1,
        server_retry_after: int | None = None,
        reset_error: type[httpx.TransportError] = httpx.ReadError,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self._schedule = list(schedule)
        self._probabilities = dict(probabilities or {})
        if sum(self._probabilities.values()) > 1:
            raise ValueError("fault probabilities add up to more than 1")
        self._random = random.Random(seed)
        self.eligible = eligible
        """Which requests may be hit; settable between requests."""
        self._slow_seconds = slow_seconds
        self._server_status = server_status
        self._retry_after = retry_after
        self._server_retry_after = server_retry_after
        self._reset_error = reset_error
        self._sleep = sleep
        self.injected: Counter[Fault] = Counter()
        self.passed = 0
        """Requests that reached the inner transport (SLOW, RESET and MALFORMED included)."""

    def schedule(self, *faults: Fault | None) -> None:
        """Appends to the schedule."""
        self._schedule.extend(faults)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._next_fault(request)
        if fault is None:
            return await self._forward(request)
        self.injected[fault] += 1
        if fault is Fault.REFUSED:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault is Fault.SERVER_ERROR:
            return self._answer(self._server_status, self._server_retry_after)
        if fault is Fault.THROTTLED:
            return self._answer(429, self._retry_after)
        if fault is Fault.SLOW:
            await self._sleep(self._slow_seconds)
            return await self._forward(request)
        response = await self._forward(request)
        await response.aread()
        await response.aclose()
        if fault is Fault.RESET:
            raise self._reset_error("Connection reset by peer", request=request)
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json"},
            content=b'{"d": {"results": [<html>502 Bad Gateway</html>',
        )

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _next_fault(self, request: httpx.Request) -> Fault | None:
        if self.eligible is not None and not self.eligible(request):
            return None
        if self._schedule:
            return self._schedule.pop(0)
        draw = self._random.random()
        for fault, probability in self._probabilities.items():
            if draw < probability:
                return fault
            draw -= probability
        return None

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        self.passed += 1
        return await self.inner.handle_async_request(request)

    @staticmethod
    def _answer(status: int, retry_after: int | None) -> httpx.Response:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return httpx.Response(status, headers=headers, json={"error": "injected fault"})
