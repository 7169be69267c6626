"""Trace context on the wire: every ERP call and webhook delivery carries ``traceparent``.

The gateway's HTTP clients share :func:`event_hooks`: before a request is sent, the current
span's context is written into its headers (W3C Trace Context), so the ERP's or the
receiver's own traces continue the gateway's. Each port call on a connection is a span of
its own (:func:`erp_call`), the parent of its HTTP requests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
from opentelemetry import propagate, trace

TRACER_NAME = "erp-gateway"


async def send_trace_context(request: httpx.Request) -> None:
    """Writes ``traceparent`` (and ``tracestate``) of the current span into ``request``."""
    propagate.inject(request.headers)


def event_hooks() -> dict[str, list[Any]]:
    """``event_hooks`` for an ``httpx.AsyncClient`` whose requests continue the current trace."""
    return {"request": [send_trace_context]}


@contextlib.contextmanager
def erp_call(connection: str, operation: str, *, write: bool) -> Iterator[trace.Span]:
    """A client span around one port call (retries included) on ``connection``."""
    with trace.get_tracer(TRACER_NAME).start_as_current_span(
        f"erp {operation}",
        kind=trace.SpanKind.CLIENT,
        attributes={"erp.connection": connection, "erp.operation": operation, "erp.write": write},
    ) as span:
        yield span
