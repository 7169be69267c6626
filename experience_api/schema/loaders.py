"""Per-request DataLoaders: nested fields of a page cost one batched upstream call each.

A page of sales orders asking for customers and line products costs the list call, one
customer call and one product call per ERP connection, whatever the page size. Deliveries
and invoices have no batch read in the ERP port, so their loaders only deduplicate and
cache per order. Loaders live for one request: nothing is shared between clients.
"""

from __future__ import annotations

import asyncio
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

# Upstream reads one order at a time run this many at once, so a large page does not
# open a burst of connections to the ERP.
PER_ORDER_CONCURRENCY = 8

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
        deliveries=DataLoader(load_fn=_per_order(catalog.deliveries_of)),
        invoices=DataLoader(load_fn=_per_order(catalog.invoices_of)),
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


def _per_order(
    read: Callable[[str], Awaitable[tuple[T, ...]]],
) -> Callable[[list[str]], Awaitable[list[tuple[T, ...] | BaseException]]]:
    async def load(order_ids: list[str]) -> list[tuple[T, ...] | BaseException]:
        gate = asyncio.Semaphore(PER_ORDER_CONCURRENCY)

        async def one(order_id: str) -> tuple[T, ...] | BaseException:
            async with gate:
                try:
                    return await read(order_id)
                except FlowError as exc:
                    # One failing order fails only its own field, not the whole page.
                    return ClientError.from_flow_error(exc)

        return list(await asyncio.gather(*(one(order_id) for order_id in order_ids)))

    return load
