"""From the settings to what protects the GraphQL endpoint: schema extensions, batch size,
body size, whether GraphiQL is served. The app builds this once at start-up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from strawberry.extensions import SchemaExtension

from experience_api.limits.extension import GuardConfig, OperationGuard
from experience_api.limits.measure import PageSizes
from experience_api.limits.rules import OperationLimits
from experience_api.persisted.extension import PersistedOperations, PersistedPolicy
from experience_api.persisted.registry import OperationRegistry, document_hash
from experience_api.settings import Settings


@dataclass(frozen=True)
class GraphQLProtection:
    """What :func:`experience_api.app.create_app` applies to ``/graphql``."""

    extensions: tuple[Callable[[], SchemaExtension], ...]
    max_batch_operations: int
    max_request_bytes: int
    max_json_depth: int
    graphiql: bool
    introspection: bool
    registry: OperationRegistry


def graphql_protection(settings: Settings, trusted: Iterable[str] = ()) -> GraphQLProtection:
    """The protection the settings ask for; production turns GraphiQL and introspection off.

    ``trusted`` documents run in persisted-only mode as if registered: the agent tools'
    own operations, shipped with the gateway or configured by its operator.

    Raises :class:`~experience_api.persisted.registry.RegistryError` when the persisted
    operations cannot be read, and ValueError when persisted-only is asked for without them.
    """
    config = settings.graphql
    production = settings.mode == "production"
    introspection = not production if config.introspection is None else config.introspection
    registry = (
        OperationRegistry.load(config.persisted_operations)
        if config.persisted_operations is not None
        else OperationRegistry({})
    )
    required = production and config.persisted_only
    if required and not registry:
        raise ValueError(
            "graphql.persisted_only needs graphql.persisted_operations: a registry file or "
            "a directory of .graphql documents"
        )
    if trusted:
        registry = OperationRegistry({**registry, **{document_hash(d): d for d in trusted}})
    guard = GuardConfig(
        operations=OperationLimits(
            max_depth=config.max_depth,
            max_aliases=config.max_aliases,
            max_cost=config.max_cost,
            pages=PageSizes(default=settings.default_page_size, maximum=settings.max_page_size),
        ),
        max_tokens=config.max_tokens,
        introspection=introspection,
        max_json_depth=config.max_json_depth,
    )
    return GraphQLProtection(
        extensions=(
            PersistedOperations.factory(PersistedPolicy(registry, required=required)),
            OperationGuard.factory(guard),
        ),
        max_batch_operations=config.max_batch_operations,
        max_request_bytes=config.max_request_bytes,
        max_json_depth=config.max_json_depth,
        graphiql=settings.graphiql and not production,
        introspection=introspection,
        registry=registry,
    )
