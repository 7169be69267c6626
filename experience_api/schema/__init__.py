"""The GraphQL schema of the experience API: queries, mutations, error masking, SDL export.

Modules are split by domain (customers, products, inventory, orders, invoices); each holds
its types and query fields, built from the canonical models the process layer returns.
The admin operations of the quarantine review live apart in :mod:`.quarantine`, those of
outbound webhooks in :mod:`.webhooks`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from experience_api.observability.operations import OperationTracing
from experience_api.schema.agent_writes import AgentWriteMutations, AgentWriteQueries
from experience_api.schema.context import GraphQLContext, build_context
from experience_api.schema.customers import CustomerQueries
from experience_api.schema.employees import EmployeeQueries
from experience_api.schema.errors import ClientError, MaskUnexpectedErrors, is_unexpected
from experience_api.schema.execution import GatewayExecutionContext, mark_plain_leaves
from experience_api.schema.field_access import FieldAccessExtension
from experience_api.schema.inventory import InventoryQueries
from experience_api.schema.invoices import InvoiceQueries
from experience_api.schema.mutations import OrderMutations
from experience_api.schema.operation_metrics import OperationMetrics
from experience_api.schema.orders import OrderQueries
from experience_api.schema.products import ProductQueries
from experience_api.schema.quarantine import QuarantineMutations, QuarantineQueries
from experience_api.schema.result_cache import ResultCacheExtension
from experience_api.schema.subscriptions import Subscription
from experience_api.schema.user_errors import USER_ERROR_TYPES
from experience_api.schema.webhooks import WebhookMutations, WebhookQueries
from experience_api.security.audit_trail import AuditExtension, audit_mutations

__all__ = [
    "ClientError",
    "GatewaySchema",
    "GraphQLContext",
    "Mutation",
    "Query",
    "Subscription",
    "build_context",
    "build_schema",
    "export_sdl",
]


@strawberry.type
class Query(
    CustomerQueries,
    ProductQueries,
    InventoryQueries,
    OrderQueries,
    InvoiceQueries,
    EmployeeQueries,
    QuarantineQueries,
    WebhookQueries,
    AgentWriteQueries,
):
    pass


@strawberry.type
class Mutation(OrderMutations, QuarantineMutations, WebhookMutations, AgentWriteMutations):
    pass


class GatewaySchema(strawberry.Schema):
    """Logs only unexpected errors: a client's own mistakes are answered, not alerted on.
    Every root mutation field is audited (:func:`audit_mutations`). Plain leaf fields are
    read without graphql-core's per-field machinery (:mod:`.execution`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", GatewayExecutionContext)
        super().__init__(*args, **kwargs)
        audit_mutations(self._schema)
        mark_plain_leaves(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        super().process_errors([e for e in errors if is_unexpected(e)], execution_context)


def build_schema(
    guards: Sequence[Callable[[], SchemaExtension]] = (), max_batch_operations: int = 0
) -> strawberry.Schema:
    """The schema served by the app: queries, mutations, masking of unexpected errors.

    ``guards`` (limits, persisted operations) run before the other extensions; batching is
    on when ``max_batch_operations`` is above 0. Field suggestions are never given.
    """
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=USER_ERROR_TYPES,
        # The metrics come first, so an operation's time includes its limits and parsing.
        extensions=[
            OperationMetrics,
            OperationTracing,
            *guards,
            MaskUnexpectedErrors,
            AuditExtension,
            FieldAccessExtension,
            # Last: it skips only the execution itself, after every check before it ran.
            ResultCacheExtension,
        ],
        config=StrawberryConfig(
            disable_field_suggestions=True,
            batching_config=(
                {"max_operations": max_batch_operations} if max_batch_operations > 0 else None
            ),
        ),
    )


def export_sdl() -> str:
    """The schema in SDL, as committed in ``experience_api/schema.graphql``."""
    return build_schema().as_str() + "\n"
