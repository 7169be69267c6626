"""``OperationMetrics``: every GraphQL operation over HTTP or WebSocket, timed and counted.

Operations an MCP tool runs on the schema have no request: they are counted once, as the
tool call, not again here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from experience_api.schema.context import GraphQLContext


class OperationMetrics(SchemaExtension):
    """Times the whole operation (limits and parsing included) and counts it by name, with
    the ones that answered with errors."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        failed = True
        try:
            yield
            result = self.execution_context.result
            # A subscription has no single result: only what refused it counts as failed.
            failed = bool(self.execution_context.pre_execution_errors) or bool(
                result is not None and result.errors
            )
        finally:
            context = self.execution_context.context
            if isinstance(context, GraphQLContext) and context.request is not None:
                metrics = context.services.metrics
                if metrics is not None:
                    name = self.execution_context.operation_name
                    seconds = time.perf_counter() - started
                    metrics.operation("graphql", name, seconds, failed=failed)
