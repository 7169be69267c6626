"""Per-request DataLoaders: nested fields of a page cost one batched upstream call each.

A page of sales orders asking for customers, line products, deliveries and invoices costs
the list call and one batched read of each per ERP connection, whatever the page size (an
adapter may split a batch into a bounded number of upstream requests, as SAP does to keep
its URLs short). Loaders live for one request: nothing is shared between clients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from experience_api.schema.errors import ClientError
from experience_api.services import Services
from process_apis.errors import FlowError
from process_apis.merging import Window
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
)
from system_apis.contracts.queries import InventoryFilter

T = TypeVar("T")

ProductKey = tuple[str, str]
"""(connection name, sku)"""

_STOCK_PAGE = 1000


@dataclass(frozen=True)
class Loaders:
    customer: DataLoader[str, Customer | None]
    """Customer by canonical id."""
    product: DataLoader[ProductKey, Product | None]
    stock: DataLoader[ProductKey, tuple[InventoryLevel, ...]]
    """Inventory levels of a product, every location."""
    deliveries: DataLoader[str, tuple[Delivery, ...]]
    """Deliveries of a sales order, by the order's canonical id."""
    invoices: DataLoader[str, tuple[Invoice, ...]]
    """Invoices of a sales order, by the order's canonical id."""


def create_loaders(
    services: Services,
    customer_details: Callable[[], frozenset[CustomerDetail]] = frozenset,
) -> Loaders:
    """Fresh loaders for one request; ``customer_details`` answers, when a batch is loaded,
    the sensitive customer parts to read with every customer the loader fetches."""
    catalog = services.catalog

    async def customers(ids: list[str]) -> list[Customer | None]:
        try:
            return await catalog.customers_by_id(ids, details=customer_details())
        except FlowError as exc:
            raise ClientError.from_flow_error(exc) from exc

    async def products(keys: list[ProductKey]) -> list[Product | None]:
        try:
            return await catalog.products_by_sku(keys)
        except FlowError as exc:
            raise ClientError.from_flow_error(exc) from exc

    async def stock(keys: list[ProductKey]) -> list[tuple[InventoryLevel, ...]]:
        by_connection: dict[str, list[str]] = {}
        for connection, sku in keys:
            by_connection.setdefault(connection, []).append(sku)
        found: dict[ProductKey, list[InventoryLevel]] = {}
        try:
            for connection, skus in by_connection.items():
                for level in await _all_inventory(services, connection, skus):
                    found.setdefault((connection, level.sku), []).append(level)
        except FlowError as exc:
            raise ClientError.from_flow_error(exc) from exc
        return [tuple(found.get(key, ())) for key in keys]

    return Loaders(
        customer=DataLoader(load_fn=customers),
        product=DataLoader(load_fn=products),
        stock=DataLoader(load_fn=stock),
        deliveries=DataLoader(load_fn=_of_orders(catalog.deliveries_of_orders)),
        invoices=DataLoader(load_fn=_of_orders(catalog.invoices_of_orders)),
    )


async def _all_inventory(
    services: Services, connection: str, skus: Sequence[str]
) -> list[InventoryLevel]:
    levels: list[InventoryLevel] = []
    window = Window(limit=_STOCK_PAGE)
    inventory_filter = InventoryFilter(skus=list(dict.fromkeys(skus)))
    while True:
        page = await services.catalog.inventory(inventory_filter, window, connection)
        levels.extend(page.items)
        if not page.has_next or not page.items:
            return levels
        window = Window(limit=_STOCK_PAGE, start=page.positions[-1])


def _of_orders(
    read: Callable[[list[str]], Awaitable[list[tuple[T, ...] | FlowError]]],
) -> Callable[[list[str]], Awaitable[list[tuple[T, ...] | BaseException]]]:
    async def load(order_ids: list[str]) -> list[tuple[T, ...] | BaseException]:
        try:
            found = await read(order_ids)
        except FlowError as exc:
            raise ClientError.from_flow_error(exc) from exc
        # An ERP that fails fails only the fields of its own orders, not the whole page.
        return [
            ClientError.from_flow_error(item) if isinstance(item, FlowError) else item
            for item in found
        ]

    return load
