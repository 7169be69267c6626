"""One span per GraphQL operation (never per field) and per MCP tool call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from experience_api.observability.requests import continued
from process_apis.observability import tracer


class OperationTracing(SchemaExtension):
    """A span around the whole operation, named after its type and name."""

    def on_operation(self) -> Iterator[None]:
        span = tracer().start_span("graphql operation")
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            yield
        except GeneratorExit:
            # A subscription whose client went away: its stream is closed from another task,
            # whose context never held this span, so there is nothing to detach there.
            span.end()
            raise
        except BaseException as exc:
            span.record_exception(exc)
            span.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)))
            span.end()
            otel_context.detach(token)
            raise
        try:
            context = self.execution_context
            name = context.operation_name
            try:
                kind = context.operation_type.value
            except RuntimeError:  # the document did not parse
                kind = "graphql"
            span.update_name(f"{kind} {name}" if name else kind)
            span.set_attribute("graphql.operation.type", kind)
            if name:
                span.set_attribute("graphql.operation.name", name)
        finally:
            span.end()
            otel_context.detach(token)


@contextlib.contextmanager
def tool_call(request: Any, tool: str) -> Iterator[None]:
    """A span around one MCP tool call; over HTTP it continues the HTTP request's trace
    (the SDK runs the call in a task of its own)."""
    state = request.scope.get("state") if isinstance(request, Request) else None
    with (
        continued(state),
        tracer().start_as_current_span(f"mcp tool {tool}", attributes={"mcp.tool.name": tool}),
    ):
        yield
