"""``CachingAdapter``: an ErpAdapter whose reads are answered from a :class:`ResponseCache`.

One wrapper per connection, outside its :class:`~system_apis.resilience.ResilientAdapter`:
a hit costs the ERP nothing (no quota slot, no breaker call); a miss goes through the
resilience wrapper as before. What it keeps and drops:

* cached, per kind with the connection's TTL: lists of customers (without sensitive
  details), products, stock, orders, deliveries and invoices, and single orders;
* never cached: reads that guard a write (an order by external reference, the deliveries
  and invoices of an order: a stale "nothing there yet" could cause a duplicate), change
  capture reads (``changed_since``), customers read with credit data, employees (pay and
  bank data stay out of any cache), and the streams of exports;
* a page the resilience wrapper answered from its last-good copy (``stale_for``) is
  passed on, never kept: degraded reads behave as documented in ``stale.py``;
* every write passes through and then invalidates what it may have changed, whether it
  succeeded or not (an unknown outcome may have changed it too).

The answer of an adapter call depends only on its arguments, never on the caller: rows and
fields a caller may not see are removed above the port, so one cached answer serves every
caller allowed to make the same call, and the connection (a company) is part of every key.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from system_apis.caching.policy import CachePolicy, RecordKind
from system_apis.caching.store import ResponseCache
from system_apis.caching.trace import not_cacheable
from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.models import (
    Customer,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    split_id,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.contracts.wrapping import AdapterWrapper

T = TypeVar("T")

SALES_ORDERS = RecordKind.SALES_ORDERS


class CachingAdapter(AdapterWrapper):
    """An :class:`ErpAdapter` that answers ``inner``'s reads from ``cache`` under ``policy``
    (see the module doc); ``clock`` is wall-clock seconds, the same as the cache's."""

    def __init__(
        self,
        inner: ErpAdapter,
        cache: ResponseCache,
        policy: CachePolicy,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(inner)
        self._cache = cache
        self._policy = policy
        self._clock = clock
        self._connection = inner.source.connection

    @property
    def policy(self) -> CachePolicy:
        return self._policy

    # -- the port (source, capabilities, limits, aclose: AdapterWrapper's) ----------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        if filter.details:
            not_cacheable()
            return await self._inner.list_customers(filter, page)
        return await self._read(
            RecordKind.CUSTOMERS,
            "list_customers",
            (filter, page),
            filter.native_ids,
            lambda: self._inner.list_customers(filter, page),
            Page[Customer],
        )

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        return await self._read(
            RecordKind.PRODUCTS,
            "list_products",
            (filter, page),
            filter.skus,
            lambda: self._inner.list_products(filter, page),
            Page[Product],
        )

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        if filter.changed_since is not None:
            not_cacheable()
            return await self._inner.list_inventory(filter, page)
        return await self._read(
            RecordKind.INVENTORY,
            "list_inventory",
            (filter, page),
            filter.skus,
            lambda: self._inner.list_inventory(filter, page),
            Page[InventoryLevel],
        )

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        if filter.changed_since is not None or filter.external_reference is not None:
            not_cacheable()
            return await self._inner.list_sales_orders(filter, page)
        return await self._read(
            SALES_ORDERS,
            "list_sales_orders",
            (filter, page),
            filter.native_ids,
            lambda: self._inner.list_sales_orders(filter, page),
            Page[SalesOrder],
        )

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        return await self._read(
            SALES_ORDERS,
            "get_sales_order",
            (),
            [native_id],
            lambda: self._inner.get_sales_order(native_id),
            SalesOrder,
        )

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        if filter.order_native_id is not None:
            not_cacheable()
            return await self._inner.list_deliveries(filter, page)
        return await self._read(
            RecordKind.DELIVERIES,
            "list_deliveries",
            (filter, page),
            filter.native_ids,
            lambda: self._inner.list_deliveries(filter, page),
            Page[Delivery],
        )

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        if filter.changed_since is not None or filter.order_native_id is not None:
            not_cacheable()
            return await self._inner.list_invoices(filter, page)
        return await self._read(
            RecordKind.INVOICES,
            "list_invoices",
            (filter, page),
            filter.native_ids,
            lambda: self._inner.list_invoices(filter, page),
            Page[Invoice],
        )

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        not_cacheable()
        return await self._inner.list_employees(filter, page)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        not_cacheable()
        return await self._inner.get_employee(native_id, details)

    # -- writes: through to the ERP, then what they may have changed is dropped ---------------

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        created: SalesOrder | None = None
        try:
            created = await self._inner.create_sales_order(draft)
            return created
        finally:
            await self._drop(SALES_ORDERS, [created.native_id] if created else [])
            await self._drop(RecordKind.INVENTORY, [line.sku for line in draft.lines])

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        try:
            return await self._inner.cancel_order(native_id, reason)
        finally:
            # A cancellation drops the deliveries still waiting and frees the stock they held.
            await self._drop(SALES_ORDERS, [native_id])
            await self._drop(RecordKind.DELIVERIES, None)
            await self._drop(RecordKind.INVENTORY, None)

    async def create_delivery(self, order_native_id: str) -> Delivery:
        created: Delivery | None = None
        try:
            created = await self._inner.create_delivery(order_native_id)
            return created
        finally:
            await self._drop(RecordKind.DELIVERIES, [created.native_id] if created else [])
            await self._drop(SALES_ORDERS, [order_native_id])

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        issued: Delivery | None = None
        try:
            issued = await self._inner.post_goods_issue(delivery_native_id)
            return issued
        finally:
            await self._drop(RecordKind.DELIVERIES, [delivery_native_id])
            if issued is None:
                # Which orders and stock it touched is not known: all of them may have changed.
                await self._drop(SALES_ORDERS, None)
                await self._drop(RecordKind.INVENTORY, None)
            else:
                await self._drop(SALES_ORDERS, [split_id(o)[1] for o in issued.order_ids])
                await self._drop(RecordKind.INVENTORY, [line.sku for line in issued.lines])

    async def create_invoice(self, order_native_id: str) -> Invoice:
        created: Invoice | None = None
        try:
            created = await self._inner.create_invoice(order_native_id)
            return created
        finally:
            await self._drop(RecordKind.INVOICES, [created.native_id] if created else [])
            await self._drop(SALES_ORDERS, [order_native_id])

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        try:
            return await self._inner.adjust_stock(adjustment)
        finally:
            await self._drop(RecordKind.INVENTORY, [adjustment.sku])

    # -- whole record sets: exports read the ERP, never the cache -----------------------------

    def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        return self._inner.stream_customers(filter)

    def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        return self._inner.stream_products(filter)

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        return self._inner.stream_inventory(filter)

    def stream_sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        return self._inner.stream_sales_orders(filter)

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        return self._inner.stream_invoices(filter)

    # -- the machinery -------------------------------------------------------------------------

    async def _read(
        self,
        kind: RecordKind,
        method: str,
        arguments: tuple[BaseModel, ...],
        records: Sequence[str] | None,
        call: Callable[[], Awaitable[T]],
        answer: type[Any],
    ) -> T:
        """``call``'s answer, from the cache while younger than the kind's TTL."""
        ttl = self._policy.ttl(kind)
        if ttl <= 0:
            not_cacheable()
            return await call()
        request = "\x1e".join([method, *(a.model_dump_json() for a in arguments), *(records or ())])
        key = await self._cache.key(self._connection, kind, request, records)
        if key is None:
            return await call()
        hit: T | None = await self._cache.get(key, ttl, answer)
        if hit is not None:
            return hit
        asked_at = self._clock()
        result = await call()
        if isinstance(result, Page) and result.stale_for is not None:
            not_cacheable()
        else:
            await self._cache.put(key, result, ttl, asked_at, answer)
        return result

    async def _drop(self, kind: RecordKind, records: Collection[str] | None) -> None:
        await self._cache.invalidate(self._connection, kind, records)
