"""What ties a request's work together: its request id and its trace.

The experience layer sets the request id when a request comes in (``X-Request-ID``, or a
new one); audit entries and log lines read it from here. Spans come from the OpenTelemetry
API only: without a configured SDK they cost next to nothing and record nothing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from opentelemetry import propagate, trace
from opentelemetry.context import Context

TRACER_NAME = "erp-gateway"

P = ParamSpec("P")
R = TypeVar("R")

_request_id: ContextVar[str | None] = ContextVar("erp_gateway_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, None outside one (background loops)."""
    return _request_id.get()


@contextlib.contextmanager
def request_id_set(request_id: str | None) -> Iterator[None]:
    """``request_id`` is the current request's id inside the block."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def tracer() -> trace.Tracer:
    """The gateway's tracer (the global provider's, looked up on each use)."""
    return trace.get_tracer(TRACER_NAME)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, None outside a trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_of(traceparent: str | None) -> Context | None:
    """The trace context a stored ``traceparent`` names (None: none stored)."""
    return None if traceparent is None else propagate.extract({"traceparent": traceparent})


_event_traces: ContextVar[Mapping[str, str] | None] = ContextVar(
    "erp_gateway_event_traces", default=None
)


@contextlib.contextmanager
def events_traced(traceparents: Mapping[str, str]) -> Iterator[None]:
    """Inside the block, :func:`event_traceparent` knows the trace each event (by id) was
    staged in: the outbox relay publishes events of many requests in one batch."""
    token = _event_traces.set(traceparents)
    try:
        yield
    finally:
        _event_traces.reset(token)


def event_traceparent(event_id: str) -> str | None:
    """The ``traceparent`` of the request that staged the event, when the relay said it."""
    traces = _event_traces.get()
    return None if traces is None else traces.get(event_id)


def current_trace_id() -> str | None:
    """The current trace's id as 32 hex digits, None when no span is recording one."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def flow_step(name: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """A span named ``name`` around each call of the decorated flow method.

    A first argument that is a string (an order id) is recorded as the span's ``record.id``.
    """

    def decorate(step: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(step)
        async def traced(*args: P.args, **kwargs: P.kwargs) -> R:
            record = args[1] if len(args) > 1 else None
            attributes = {"record.id": record} if isinstance(record, str) else {}
            with tracer().start_as_current_span(name, attributes=attributes):
                return await step(*args, **kwargs)

        return traced

    return decorate
