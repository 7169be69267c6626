"""``ResultCacheExtension``: the schema extension that answers queries from the
:class:`~experience_api.result_cache.ResultCache` (see that module for what is kept, for
whom and for how long)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

from graphql import ExecutionResult, FieldNode, OperationType, get_operation_ast
from strawberry.extensions import SchemaExtension

from experience_api.result_cache import ResultCache
from experience_api.schema.field_access import FieldAccess
from experience_api.security.principal import Principal
from system_apis.caching.trace import tracing

CACHEABLE_ROOTS = frozenset(
    {"__typename", "customers", "products", "inventory", "salesOrders", "salesOrder", "invoices"}
)
"""Root query fields that only read ERP records through the connections' adapters."""


class ResultCacheExtension(SchemaExtension):
    """Answers a query from the :class:`ResultCache` of ``context.services.result_cache``
    (none: does nothing), or executes it and keeps its result when it may be kept."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        services = getattr(context, "services", None)
        cache: ResultCache | None = getattr(services, "result_cache", None)
        principal = getattr(context, "principal", None)
        key = None
        if cache is not None and isinstance(principal, Principal) and self._cacheable():
            assert self.execution_context.query is not None
            key = cache.key(
                self.execution_context.query,
                self.execution_context.operation_name,
                self.execution_context.variables,
                principal,
            )
        if cache is None or key is None:
            yield
            return
        access = getattr(context, "field_access", None)
        entry = await cache.get(key)
        if entry is not None:
            if isinstance(access, FieldAccess):
                access.redacted.update(entry["redacted"])
            self.execution_context.result = ExecutionResult(data=entry["data"])
            yield
            return
        with tracing() as trace:
            yield
        result = self.execution_context.result
        if (
            trace.cacheable
            and trace.reads
            and math.isfinite(trace.expires_at)
            and isinstance(result, ExecutionResult)
            and not result.errors
            and result.data is not None
            and not (isinstance(access, FieldAccess) and access.disclosed)
        ):
            await cache.put(
                key,
                {
                    "data": result.data,
                    "redacted": sorted(access.redacted) if isinstance(access, FieldAccess) else [],
                    "versions": trace.versions,
                    "expires_at": trace.expires_at,
                },
            )

    def _cacheable(self) -> bool:
        """A query (not a mutation or subscription) whose root fields only read ERP records."""
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.query is None:
            return False
        operation = get_operation_ast(document, context.operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return False
        return all(
            isinstance(selection, FieldNode) and selection.name.value in CACHEABLE_ROOTS
            for selection in operation.selection_set.selections
        )
