"""Inventory levels: the GraphQL type and the ``inventory`` query."""

from __future__ import annotations

import strawberry

from experience_api.schema.authorization import requires, visible_connections
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    First,
    Quantity,
    Source,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.errors import client_errors
from experience_api.schema.products import Product, load_product
from experience_api.security.permissions import Scope
from system_apis.contracts import models
from system_apis.contracts.queries import InventoryFilter as CanonicalInventoryFilter


@strawberry.type(description="Stock of one product at one location.")
class InventoryLevel:
    id: strawberry.ID
    native_id: str
    source: Source
    sku: str
    location: str
    quantity: Quantity
    stock_type: str

    @classmethod
    def from_model(cls, level: models.InventoryLevel) -> InventoryLevel:
        return cls(
            id=strawberry.ID(level.id),
            native_id=level.native_id,
            source=Source.from_model(level.source),
            sku=level.sku,
            location=level.location,
            quantity=Quantity.from_model(level.quantity),
            stock_type=level.stock_type,
        )

    @strawberry.field
    async def product(self, info: Info) -> Product | None:
        return await load_product(info, self.source.connection, self.sku)


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
    page = page_request(services.paging, first, after, services.connections)
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
    return connection_from_page(result, InventoryLevel.from_model)


@strawberry.type
class InventoryQueries:
    inventory: Connection[InventoryLevel] = strawberry.field(
        resolver=resolve_inventory,
        permission_classes=[requires(Scope.INVENTORY_READ)],
        description="Stock levels of one ERP connection (the default one if omitted).",
    )
