"""Products and their stock: the GraphQL types ``Product`` and ``InventoryLevel`` (each
reaches the other: a product's stock, a level's product), and the ``products`` query."""

from __future__ import annotations

import strawberry

from experience_api.schema.authorization import require, requires, visible_connections
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    First,
    Money,
    Quantity,
    Source,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.errors import client_errors
from experience_api.security.permissions import Scope
from system_apis.contracts import models
from system_apis.contracts.queries import ProductFilter as CanonicalProductFilter


async def _product_stock(root: Product, info: Info) -> list[InventoryLevel] | None:
    require(info, Scope.INVENTORY_READ)
    levels = await info.context.loaders.stock.load((root.source.connection, root.sku))
    return [InventoryLevel.from_model(level) for level in levels]


@strawberry.type
class Product:
    id: strawberry.ID = strawberry.field(description="Gateway id: `<connection>:<nativeId>`.")
    native_id: str
    source: Source
    sku: str
    name: str
    base_unit: str
    unit_decimals: int | None = strawberry.field(
        description="Decimal places a quantity in `baseUnit` may have; null if not known."
    )
    product_type: str | None
    product_group: str | None
    gross_weight: Quantity | None
    list_price: Money | None
    # Nullable like every field read with a second call: a failure spares the page.
    stock: list[InventoryLevel] | None = strawberry.field(
        resolver=_product_stock,
        description="Stock per location, batched across the response; null if unreadable.",
    )

    @classmethod
    def from_model(cls, product: models.Product) -> Product:
        return cls(
            id=strawberry.ID(product.id),
            native_id=product.native_id,
            source=Source.from_model(product.source),
            sku=product.sku,
            name=product.name,
            base_unit=product.base_unit,
            unit_decimals=product.unit_decimals,
            product_type=product.product_type,
            product_group=product.product_group,
            gross_weight=Quantity.maybe(product.gross_weight),
            list_price=Money.maybe(product.list_price),
        )


async def load_product(info: Info, connection: str, sku: str) -> Product | None:
    """A product by sku, through the request's batching loader."""
    require(info, Scope.PRODUCTS_READ)
    product = await info.context.loaders.product.load((connection, sku))
    return None if product is None else Product.from_model(product)


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
class ProductFilter:
    skus: list[str] | None = None
    name_contains: str | None = None
    product_group: str | None = None


async def resolve_products(
    info: Info,
    filter: ProductFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[Product]:
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "products")
    canonical = CanonicalProductFilter()
    if filter is not None:
        canonical = CanonicalProductFilter(
            skus=filter.skus,
            name_contains=filter.name_contains,
            product_group=filter.product_group,
        )
    with client_errors():
        result = await services.catalog.products(
            canonical, page, connection, visible_connections(info, connection)
        )
    return connection_from_page(result, Product.from_model, "products")


@strawberry.type
class ProductQueries:
    products: Connection[Product] = strawberry.field(
        resolver=resolve_products,
        permission_classes=[requires(Scope.PRODUCTS_READ)],
        description="Products of one ERP connection (the default one if omitted).",
    )
