"""Inventory levels: the ``inventory`` query (the type sits with :class:`Product`, which
lists its stock)."""

from __future__ import annotations

import strawberry

from experience_api.schema.authorization import requires, visible_connections
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    First,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.errors import client_errors
from experience_api.schema.products import InventoryLevel
from experience_api.security.permissions import Scope
from system_apis.contracts.queries import InventoryFilter as CanonicalInventoryFilter


@strawberry.input
class InventoryFilter:
    sku: str | None = None
    location: str | None = None


async def resolve_inventory(
    info: Info,
    filter: InventoryFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[InventoryLevel]:
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "inventory")
    canonical = CanonicalInventoryFilter()
    if filter is not None:
        canonical = CanonicalInventoryFilter(
            skus=None if filter.sku is None else [filter.sku],
            location=filter.location,
        )
    with client_errors():
        result = await services.catalog.inventory(
            canonical, page, connection, visible_connections(info, connection)
        )
    return connection_from_page(result, InventoryLevel.from_model, "inventory")


@strawberry.type
class InventoryQueries:
    inventory: Connection[InventoryLevel] = strawberry.field(
        resolver=resolve_inventory,
        permission_classes=[requires(Scope.INVENTORY_READ)],
        description="Stock levels of one ERP connection (the default one if omitted).",
    )
