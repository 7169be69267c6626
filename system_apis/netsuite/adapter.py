"""``NetSuiteAdapter``: the ErpAdapter port on SuiteTalk REST.

Records and ids: customers are ``customer`` records, products ``inventoryItem`` records
(native id: the item name/number ``itemid``, the SKU), orders ``salesOrder``, deliveries
``itemFulfillment`` and invoices ``invoice`` transactions; native ids are internal ids. The
order's external reference is its ``externalId`` (also written to ``otherRefNum``, the PO#).
Inventory is quantity on hand per item and location (location by name).

Costs: every list is one SuiteQL query (two when the page straddles NetSuite's page grid,
see :mod:`.paging`) plus, for transactions, one query of the page's lines; a batch of ids or
of orders is one ``IN (...)``. Writes go through the record service (:mod:`.writes`) and
read their result back with SuiteQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import CancelRefusal, NotCancellable, NotFound
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Customer,
    Delivery,
    DocumentStatus,
    InventoryLevel,
    Invoice,
    OrderStatus,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import Capability
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
from system_apis.contracts.streaming import StreamsFromPages
from system_apis.netsuite import queries
from system_apis.netsuite.client import NetSuiteClient, Row
from system_apis.netsuite.mapping import (
    customer_from_row,
    delivery_from_rows,
    invoice_from_rows,
    level_from_row,
    order_from_rows,
    product_from_row,
)
from system_apis.netsuite.paging import (
    Query,
    id_after,
    level_after,
    order_after,
    read_list,
    text_after,
)
from system_apis.netsuite.people import employee_from_row, employee_query
from system_apis.netsuite.suiteql import numeric
from system_apis.netsuite.writes import Writer

ERP_KIND = "netsuite"
T = TypeVar("T")
Build = Callable[[Row, list[Row]], T]


class NetSuiteAdapter(StreamsFromPages):
    """One NetSuite account behind the ErpAdapter port.

    ``client`` speaks SuiteTalk REST and is closed by :meth:`aclose`; ``time_zone`` is the
    integration user's (SuiteQL timestamps are in it); ``location`` names the location of
    order lines that name none; ``adjustment_account`` is the internal id of the account
    stock adjustments post to (None: the adapter cannot adjust stock).
    """

    def __init__(
        self,
        connection: str,
        client: NetSuiteClient,
        *,
        time_zone: str = "UTC",
        location: str | None = None,
        adjustment_account: str | None = None,
    ) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        if client.connection is None:
            client.connection = connection
        self._client = client
        self._zone = ZoneInfo(time_zone)
        self._guard = MappingGuard("NetSuite", connection)
        self._adjustment_account = adjustment_account
        self._writer = Writer(client, self._guard, location, adjustment_account)

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        if self._adjustment_account is None:
            return frozenset(Capability) - {Capability.ADJUST_STOCK}
        return frozenset(Capability)

    @property
    def limits(self) -> FieldLimits:
        # externalId and otherRefNum (PO#, 45 characters) take every reference we write.
        return FieldLimits()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- master data ------------------------------------------------------------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        ids = None if filter.native_ids is None else numeric(filter.native_ids)
        if ids == []:
            return _empty(page)
        rows, offset, total = await read_list(
            self._client,
            lambda after: queries.customers(filter, ids, after),
            page,
            id_after("c.id"),
        )
        items = self._guard.mapped(
            lambda: [customer_from_row(r, self._source, self._zone) for r in rows]
        )
        return Page[Customer](items=tuple(items), offset=offset, total=total)

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        if filter.skus is not None and not filter.skus:
            return _empty(page)
        rows, offset, total = await read_list(
            self._client,
            lambda after: queries.products(filter, after),
            page,
            text_after("i.itemid"),
        )
        items = self._guard.mapped(lambda: [product_from_row(r, self._source) for r in rows])
        return Page[Product](items=tuple(items), offset=offset, total=total)

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        if filter.skus is not None and not filter.skus:
            return _empty(page)
        rows, offset, total = await read_list(
            self._client,
            lambda after: queries.inventory(filter, self._zone, after),
            page,
            None if filter.changed_since is not None else level_after,
        )
        items = self._guard.mapped(
            lambda: [level_from_row(r, self._source, self._zone) for r in rows]
        )
        return Page[InventoryLevel](items=tuple(items), offset=offset, total=total)

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        await self._writer.adjust(adjustment)
        return await self._guard.read_back(
            self._level(adjustment.sku, adjustment.location), "the stock adjustment"
        )

    async def _level(self, sku: str, location: str) -> InventoryLevel:
        query = queries.inventory(InventoryFilter(skus=[sku], location=location), self._zone)
        rows = (await self._client.suiteql(query, limit=1)).items
        if rows:
            return self._guard.mapped(lambda: level_from_row(rows[0], self._source, self._zone))
        zero = {"itemid": sku, "location": location, "quantityonhand": "0"}
        return self._guard.mapped(lambda: level_from_row(zero, self._source, self._zone))

    # -- transactions -----------------------------------------------------------------------

    async def _transactions(
        self,
        kind: str,
        query: Query,
        page: PageRequest,
        build: Build[T],
        after: Callable[[str], str] | None,
    ) -> Page[T]:
        headers, offset, total = await read_list(self._client, query, page, after)
        lines: list[Row] = []
        if headers:
            wanted = [str(h["id"]) for h in headers]
            lines = await self._client.suiteql_all(queries.lines(kind, wanted))
        items = self._guard.mapped(lambda: [build(h, lines) for h in headers])
        return Page[T](items=tuple(items), offset=offset, total=total)

    def _order(self, header: Row, lines: list[Row]) -> SalesOrder:
        return order_from_rows(header, lines, self._source, self._zone)

    def _delivery(self, header: Row, lines: list[Row]) -> Delivery:
        return delivery_from_rows(header, lines, self._source, self._zone)

    def _invoice(self, header: Row, lines: list[Row]) -> Invoice:
        return invoice_from_rows(header, lines, self._source, self._zone)

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        ids = None if filter.native_ids is None else numeric(filter.native_ids)
        if ids == []:
            return _empty(page)
        return await self._transactions(
            queries.SALES_ORDER,
            lambda after: queries.sales_orders(filter, ids, self._zone, after),
            page,
            self._order,
            None if filter.changed_since is not None else order_after,
        )

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        found = await self.list_sales_orders(
            SalesOrderFilter(native_ids=[native_id]), PageRequest(limit=1)
        )
        if not found.items:
            raise NotFound(
                f"sales order {native_id} does not exist", connection=self._source.connection
            )
        return found.items[0]

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        native_id = await self._writer.create_order(draft)
        return await self._guard.read_back(
            self.get_sales_order(native_id), f"sales order {native_id}"
        )

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        """Closes every line of an order nothing was fulfilled or billed for (NetSuite's way
        to cancel through the record service); the order is then Closed (``H``)."""
        order = await self.get_sales_order(native_id)
        if order.status is OrderStatus.CANCELLED:
            return order
        deliveries = (
            await self.list_deliveries(
                DeliveryFilter(order_native_id=native_id), PageRequest(limit=MAX_PAGE_LIMIT)
            )
        ).items
        refusal = _cancel_refusal(order, deliveries)
        if refusal is not None:
            raise NotCancellable(
                f"sales order {order.number} cannot be cancelled: {refusal.value}",
                refusal=refusal,
                connection=self._source.connection,
            )
        await self._writer.close(native_id, [line.line_number for line in order.lines], reason)
        return await self._guard.read_back(
            self.get_sales_order(native_id), f"sales order {native_id}"
        )

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        orders = filter.orders()
        orders = None if orders is None else numeric(orders)
        ids = None if filter.native_ids is None else numeric(filter.native_ids)
        if orders == [] or ids == []:
            return _empty(page)
        return await self._transactions(
            queries.FULFILLMENT,
            lambda after: queries.deliveries(filter, orders, ids, after),
            page,
            self._delivery,
            id_after("t.id"),
        )

    async def _one_delivery(self, native_id: str) -> Delivery:
        found = await self.list_deliveries(
            DeliveryFilter(native_ids=[native_id]), PageRequest(limit=1)
        )
        if not found.items:
            raise NotFound(
                f"item fulfillment {native_id} does not exist",
                connection=self._source.connection,
            )
        return found.items[0]

    async def create_delivery(self, order_native_id: str) -> Delivery:
        native_id = await self._writer.fulfil(order_native_id)
        return await self._guard.read_back(
            self._one_delivery(native_id), f"item fulfillment {native_id}"
        )

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        await self._writer.ship(delivery_native_id)
        return await self._guard.read_back(
            self._one_delivery(delivery_native_id), f"item fulfillment {delivery_native_id}"
        )

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        orders = filter.orders()
        orders = None if orders is None else numeric(orders)
        ids = None if filter.native_ids is None else numeric(filter.native_ids)
        if orders == [] or ids == []:
            return _empty(page)
        return await self._transactions(
            queries.INVOICE,
            lambda after: queries.invoices(filter, orders, ids, self._zone, after),
            page,
            self._invoice,
            None if filter.changed_since is not None else id_after("t.id"),
        )

    async def create_invoice(self, order_native_id: str) -> Invoice:
        native_id = await self._writer.bill(order_native_id)

        async def read() -> Invoice:
            found = await self.list_invoices(
                InvoiceFilter(native_ids=[native_id]), PageRequest(limit=1)
            )
            if not found.items:
                raise NotFound(f"invoice {native_id} does not exist")
            return found.items[0]

        return await self._guard.read_back(read(), f"invoice {native_id}")

    # -- employees --------------------------------------------------------------------------

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        ids = None if filter.native_ids is None else numeric(filter.native_ids)
        if ids == []:
            return _empty(page)
        rows, offset, total = await read_list(
            self._client,
            lambda after: employee_query(filter, ids, after),
            page,
            id_after("e.id"),
        )
        items = self._guard.mapped(
            lambda: [employee_from_row(r, self._source, filter.details) for r in rows]
        )
        return Page[Employee](items=tuple(items), offset=offset, total=total)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        found = await self.list_employees(
            EmployeeFilter(native_ids=[native_id], details=details), PageRequest(limit=1)
        )
        if not found.items:
            raise NotFound(
                f"employee {native_id} does not exist", connection=self._source.connection
            )
        return found.items[0]


def _cancel_refusal(order: SalesOrder, deliveries: Sequence[Delivery]) -> CancelRefusal | None:
    if order.status is OrderStatus.INVOICED or order.billing_status is DocumentStatus.COMPLETE:
        return CancelRefusal.INVOICED
    if any(d.goods_issued for d in deliveries):
        return CancelRefusal.SHIPPED
    if deliveries:
        # A fulfillment counts its lines fulfilled: NetSuite closes only what is unfulfilled.
        return CancelRefusal.IN_DELIVERY
    if order.status is not OrderStatus.ORDERED:
        return CancelRefusal.SHIPPED
    return None


def _empty(page: PageRequest) -> Page[T]:
    return Page[T](items=(), offset=page.offset, total=0)
