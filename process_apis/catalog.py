"""Read flows: customers, products, inventory, orders, invoices and employees from the ERPs.

Row level: every read takes ``connections``, the caller's boundary (None: every connection).
A list reads only those; a record of another connection read by id does not exist for the
caller (RecordNotFound, or None in the batch reads), so the answer leaks nothing about it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import FlowError, InvalidInput, RecordNotFound
from process_apis.merging import MergedPage, Window, merge
from system_apis.contracts import keyset
from system_apis.contracts.keyset import KeyOf
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    MAX_PAGE_LIMIT,
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)

T = TypeVar("T")
_Document = TypeVar("_Document", Delivery, Invoice)


def _newest_first(order: SalesOrder) -> tuple[int, ...]:
    return (-order.order_date.toordinal(),)


class Catalog:
    """Reads for front ends and agents; batch methods exist for per-request DataLoaders.

    A list reads one connection when ``connection`` names it, else every connection, merged
    (see :mod:`process_apis.merging`): orders newest first across ERPs, everything else one
    connection after the other.
    """

    def __init__(self, connections: Connections):
        self._connections = connections

    async def _list(
        self,
        connection: str | None,
        window: Window,
        read: Callable[[ErpAdapter, PageRequest], Awaitable[Page[T]]],
        page_key: KeyOf[T],
        key: Callable[[T], Any] | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[T]:
        if connection is not None:
            self._check_visible(connection, connections)
            names: tuple[str, ...] = (connection,)
        elif connections is not None:
            # The caller's row-level boundary: only these, in configured order.
            names = tuple(n for n in self._connections.names if n in set(connections))
        else:
            names = self._connections.names
        adapters = {name: self._connections.get(name) for name in names}

        async def fetch(name: str, page: PageRequest) -> Page[T]:
            with translated():
                return await read(adapters[name], page)

        return await merge(names, window, fetch, key, page_key)

    async def customers(
        self,
        filter: CustomerFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[Customer]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_customers(filter, page),
            keyset.native_key,
            connections=connections,
        )

    async def customers_by_id(
        self,
        ids: Sequence[str],
        connections: Sequence[str] | None = None,
        details: frozenset[CustomerDetail] = frozenset(),
    ) -> list[Customer | None]:
        """Customers for canonical ids, in the same order; None where one does not exist
        or lies outside ``connections``. ``details``: the sensitive parts to read with them."""
        found: dict[str, Customer] = {}
        for name, natives in self._group(ids).items():
            if connections is not None and name not in connections:
                continue
            adapter = self._connections.get(name)
            with translated():
                page = await adapter.list_customers(
                    CustomerFilter(native_ids=natives, details=details),
                    PageRequest(limit=len(natives)),
                )
            found.update((c.id, c) for c in page.items)
        return [found.get(i) for i in ids]

    async def products(
        self,
        filter: ProductFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[Product]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_products(filter, page),
            keyset.product_key,
            connections=connections,
        )

    async def products_by_sku(
        self, keys: Sequence[tuple[str, str]], connections: Sequence[str] | None = None
    ) -> list[Product | None]:
        """Products for (connection, sku) pairs, in order; None where a sku is unknown or its
        connection lies outside ``connections``."""
        by_connection: dict[str, list[str]] = {}
        for name, sku in keys:
            if connections is None or name in connections:
                by_connection.setdefault(name, []).append(sku)
        found: dict[tuple[str, str], Product] = {}
        for name, skus in by_connection.items():
            unique = list(dict.fromkeys(skus))
            adapter = self._connections.get(name)
            with translated():
                page = await adapter.list_products(
                    ProductFilter(skus=unique), PageRequest(limit=len(unique))
                )
            found.update(((name, p.sku), p) for p in page.items)
        return [found.get(k) for k in keys]

    async def inventory(
        self,
        filter: InventoryFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[InventoryLevel]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_inventory(filter, page),
            keyset.level_key,
            connections=connections,
        )

    async def sales_orders(
        self,
        filter: SalesOrderFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[SalesOrder]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_sales_orders(filter, page),
            keyset.order_key,
            key=_newest_first,
            connections=connections,
        )

    async def sales_order(
        self, order_id: str, connections: Sequence[str] | None = None
    ) -> SalesOrder:
        adapter, native = self._resolve_visible(order_id, "sales order", connections)
        with translated("sales order", order_id):
            return await adapter.get_sales_order(native)

    async def deliveries_of_orders(
        self, order_ids: Sequence[str], connections: Sequence[str] | None = None
    ) -> list[tuple[Delivery, ...] | FlowError]:
        """The deliveries of each order (canonical ids), in the same order; see
        :meth:`_documents_of_orders`."""
        return await self._documents_of_orders(
            order_ids,
            connections,
            lambda erp, natives, page: erp.list_deliveries(
                DeliveryFilter(order_native_ids=natives), page
            ),
        )

    async def invoices(
        self,
        filter: InvoiceFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[Invoice]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_invoices(filter, page),
            keyset.native_key,
            connections=connections,
        )

    async def invoices_of_orders(
        self, order_ids: Sequence[str], connections: Sequence[str] | None = None
    ) -> list[tuple[Invoice, ...] | FlowError]:
        """The invoices of each order (canonical ids), in the same order; see
        :meth:`_documents_of_orders`."""
        return await self._documents_of_orders(
            order_ids,
            connections,
            lambda erp, natives, page: erp.list_invoices(
                InvoiceFilter(order_native_ids=natives), page
            ),
        )

    async def _documents_of_orders(
        self,
        order_ids: Sequence[str],
        connections: Sequence[str] | None,
        read: Callable[[ErpAdapter, list[str], PageRequest], Awaitable[Page[_Document]]],
    ) -> list[tuple[_Document, ...] | FlowError]:
        """Documents of many orders: one batch read per connection, in the ERP's largest
        pages, so a page of orders costs the same whatever its size. A connection that fails
        answers its error for each of its own orders only; an order outside ``connections``
        has no documents for the caller."""
        found: dict[str, list[_Document]] = {order_id: [] for order_id in order_ids}
        failed: dict[str, FlowError] = {}
        by_connection: dict[str, dict[str, str]] = {}
        for order_id in found:
            adapter, native = self._connections.resolve(order_id)
            by_connection.setdefault(adapter.source.connection, {})[order_id] = native
        for name, natives in by_connection.items():
            if connections is not None and name not in connections:
                continue
            try:
                documents = await _every_page(
                    partial(read, self._connections.get(name), list(natives.values()))
                )
            except FlowError as exc:
                failed.update(dict.fromkeys(natives, exc))
                continue
            for document in documents:
                for order_id in dict.fromkeys(document.order_ids):
                    if order_id in found:
                        found[order_id].append(document)
        return [
            failed[order_id] if order_id in failed else tuple(found[order_id])
            for order_id in order_ids
        ]

    # -- employees: pay and bank data only as the filter's details name them ---------------

    async def employees(
        self,
        filter: EmployeeFilter,
        window: Window,
        connection: str | None = None,
        connections: Sequence[str] | None = None,
    ) -> MergedPage[Employee]:
        return await self._list(
            connection,
            window,
            lambda erp, page: erp.list_employees(filter, page),
            keyset.native_key,
            connections=connections,
        )

    async def employee(
        self,
        employee_id: str,
        details: frozenset[EmployeeDetail] = frozenset(),
        connections: Sequence[str] | None = None,
    ) -> Employee:
        adapter, native = self._resolve_visible(employee_id, "employee", connections)
        with translated("employee", employee_id):
            return await adapter.get_employee(native, details)

    # -- row level -----------------------------------------------------------------------

    def _check_visible(self, connection: str, connections: Sequence[str] | None) -> None:
        # Worded like an unconfigured connection: the answer tells nothing about the others.
        if connections is not None and connection not in connections:
            raise InvalidInput(f"unknown connection {connection!r}", field="connection")

    def _resolve_visible(
        self, record_id: str, kind: str, connections: Sequence[str] | None
    ) -> tuple[ErpAdapter, str]:
        """The adapter and native id of a record; a record outside ``connections`` does not
        exist for the caller (RecordNotFound, exactly as for a missing one)."""
        adapter, native = self._connections.resolve(record_id)
        if connections is not None and adapter.source.connection not in connections:
            raise RecordNotFound(kind, record_id)
        return adapter, native

    def _group(self, ids: Sequence[str]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for record_id in dict.fromkeys(ids):
            adapter, native = self._connections.resolve(record_id)
            grouped.setdefault(adapter.source.connection, []).append(native)
        return grouped


async def _every_page(read: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """Every record of a read, in pages of the largest size the port allows."""
    items: list[T] = []
    page = PageRequest(limit=MAX_PAGE_LIMIT)
    while True:
        with translated("sales order"):
            answer = await read(page)
        items.extend(answer.items)
        if not answer.has_next or not answer.items:
            return items
        page = PageRequest(offset=page.offset + len(answer.items), limit=MAX_PAGE_LIMIT)
