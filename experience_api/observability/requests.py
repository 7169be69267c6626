"""Each HTTP request (and WebSocket) as one trace, under one request id.

``X-Request-ID`` from the caller is kept when it is a plain token (otherwise, or when
absent, a new id is made) and echoed on the response. A caller's W3C ``traceparent``
becomes the parent of the request's server span, so the gateway's spans (GraphQL or MCP
operation, flow, ERP calls) join the caller's trace. Both are kept in the ASGI scope's
state for work the request hands to other tasks (MCP tool calls).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from process_apis.observability import request_id_set, tracer

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_KEY = "request_id"
TRACE_CONTEXT_KEY = "trace_context"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=@-]{0,127}")


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a plain token of at most 128 characters, else a new one."""
    if value is not None and _ACCEPTED_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestTracing:
    """Pure ASGI middleware (the outermost one): request id, server span, echoed header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        request_id = request_id_from(headers.get(REQUEST_ID_HEADER))
        method = scope.get("method", "WEBSOCKET")
        path = scope.get("path", "")
        echoed = (REQUEST_ID_HEADER.encode(), request_id.encode())
        with (
            request_id_set(request_id),
            tracer().start_as_current_span(
                f"{method} {path}",
                context=propagate.extract(headers),
                kind=trace.SpanKind.SERVER,
                attributes={
                    "http.request.method": method,
                    "url.path": path,
                    "request.id": request_id,
                },
            ) as span,
        ):
            state = scope.setdefault("state", {})
            state[REQUEST_ID_KEY] = request_id
            state[TRACE_CONTEXT_KEY] = otel_context.get_current()

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                    message = {**message, "headers": [*message.get("headers", []), echoed]}
                await send(message)

            await self.app(scope, receive, sending)


@contextlib.contextmanager
def continued(state: Mapping[str, Any] | None) -> Iterator[None]:
    """Inside the block: the request id and trace of the request whose ASGI ``state`` this
    is (work another task does for it); unchanged when there is no such request."""
    if not state or TRACE_CONTEXT_KEY not in state:
        yield
        return
    token = otel_context.attach(state[TRACE_CONTEXT_KEY])
    try:
        with request_id_set(state.get(REQUEST_ID_KEY)):
            yield
    finally:
        otel_context.detach(token)
