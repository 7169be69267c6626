"""What the wrapper tells an observer about each port call, and the error kinds it names.

The wrapper knows nothing of any metrics library: the composition root passes an
observer (the gateway's metrics) that records each call's duration and outcome.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from system_apis.contracts.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    NotSupported,
    Throttled,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.resilience.breaker import CircuitOpen
from system_apis.resilience.counters import ResilienceCounters

ERROR_KINDS = (
    "circuit_open",
    "throttled",
    "unknown_outcome",
    "unavailable",
    "not_found",
    "rejected",
    "conflict",
    "not_supported",
    "authentication",
    "other",
)
"""Every kind :func:`error_kind` returns, most specific first."""

_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (CircuitOpen, "circuit_open"),
    (Throttled, "throttled"),
    (UnknownOutcome, "unknown_outcome"),
    (Unavailable, "unavailable"),
    (NotFound, "not_found"),
    (ValidationRejected, "rejected"),
    (Conflict, "conflict"),
    (NotSupported, "not_supported"),
    (AuthenticationFailed, "authentication"),
)


def error_kind(exc: BaseException) -> str:
    """The kind of failure ``exc`` is, one of :data:`ERROR_KINDS`."""
    for error_type, kind in _KINDS:
        if isinstance(exc, error_type):
            return kind
    return "other"


class CallObserver(Protocol):
    """Told of every port call the wrapper finished: ``error`` is None on success, else
    the :func:`error_kind` of what the caller got; ``seconds`` include retries and waits."""

    def erp_call(self, connection: str, method: str, seconds: float, error: str | None) -> None:
        """One finished port call."""


@asynccontextmanager
async def timed_call(
    counters: ResilienceCounters, observer: CallObserver | None, connection: str, method: str
) -> AsyncIterator[None]:
    """Counts the port call run in the block, and tells ``observer`` how it ended.

    A cancelled call (its caller went away) is counted as a call and told to no one: it
    says nothing about the ERP.
    """
    counters.calls += 1
    started = time.perf_counter()
    try:
        yield
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if observer is not None:
            observer.erp_call(connection, method, time.perf_counter() - started, error_kind(exc))
        raise
    if observer is not None:
        observer.erp_call(connection, method, time.perf_counter() - started, None)
