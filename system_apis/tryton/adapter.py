"""``TrytonAdapter``: the ErpAdapter port implemented on Tryton's JSON-RPC model methods.

Records and ids: customers are ``party.party``, products ``product.product`` variants, orders
``sale.sale``, deliveries ``stock.shipment.out`` and invoices customer ``account.invoice``.
Native ids are Tryton record ids as strings, except products, whose native id is their code
(the SKU the port's product operations take). The order's external reference is the sale's
``reference``.

Costs: every list is one ``search_read`` with dotted fields (an order comes with its lines, a
shipment with its moves, an invoice with its lines), plus a ``search_count`` only when the
page cannot tell the total itself (:mod:`.reads`); a batch of ids is one ``("id", "in", ...)``
domain. The adapter also reads, once per process, the user's preferences and companies
(:mod:`.catalogue`), and every ``ttl`` seconds the warehouses for inventory and order lines.

Inventory is read per warehouse storage location (labelled ``"<warehouse>/<storage>"``, e.g.
``"WH/STO"``, stock in sub-locations included) with Tryton's ``quantity`` at today, products
with no stock left out; pages run through the locations in label order, products by code. With
several warehouses a page costs a count per location and a read per location it touches.

Writes follow Tryton's workflows (:mod:`.ordering`, :mod:`.shipping`, :mod:`.billing`): a sale
is quoted, confirmed and processed; its shipment and invoice are Tryton's own, driven with
their buttons. See those modules for InsufficientStock and for what "create" means for a
delivery or an invoice that Tryton creates itself. Stock adjustments are internal shipments
between a warehouse and its lost-and-found location, found again by their reference
(:mod:`.adjusting`). A list filtered by ``changed_since`` reads by change time instead
(:mod:`.changes`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Customer,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import Capability
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
from system_apis.contracts.streaming import StreamsFromPages
from system_apis.tryton import queries
from system_apis.tryton.adjusting import StockAdjuster
from system_apis.tryton.billing import Billing
from system_apis.tryton.cancelling import SaleCancelling
from system_apis.tryton.catalogue import Catalogue
from system_apis.tryton.changes import changed_levels, changed_rows
from system_apis.tryton.client import TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.locations import StorageLocation, matching
from system_apis.tryton.mapping.partners import CUSTOMER_FIELDS, customer_from_tryton
from system_apis.tryton.mapping.products import PRODUCT_FIELDS, product_from_tryton
from system_apis.tryton.mapping.sales import SALE_FIELDS, sales_order_from_tryton
from system_apis.tryton.mapping.status import ORDER_STATES
from system_apis.tryton.mapping.stock import STOCK_FIELDS, inventory_from_tryton
from system_apis.tryton.ordering import OrderWriter
from system_apis.tryton.people import EmployeeReads
from system_apis.tryton.reads import (
    by_code_after,
    by_id_after,
    find_one,
    newest_first_after,
    read_page,
)
from system_apis.tryton.shipping import Shipping
from system_apis.tryton.stock_pages import levels_after, stock_context

ERP_KIND = "tryton"
T = TypeVar("T")
PRODUCT = "product.product"


class TrytonAdapter(StreamsFromPages):
    """One Tryton database behind the ErpAdapter port.

    ``connection`` names the configured connection (it prefixes canonical ids and is set on
    the client's errors when the client has no name of its own); ``client`` speaks JSON-RPC and
    is closed by :meth:`aclose`. ``warehouse`` is the location label (``"WH/STO"`` or ``"WH"``)
    new orders ship from when their lines name none (None: Tryton's default warehouse).
    ``currency`` prices products (None: the company's currency, read from Tryton).
    ``location_ttl`` is how long the warehouses read from Tryton are kept, in seconds.
    ``invoice_method`` is set on every new sale (Tryton's ``fulfillment``: bill what shipped).
    """

    def __init__(
        self,
        connection: str,
        client: TrytonClient,
        *,
        warehouse: str | None = None,
        currency: str | None = None,
        location_ttl: float = 300.0,
        invoice_method: str = "fulfillment",
    ) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        if client.connection is None:
            client.connection = connection
        self._client = client
        self._currency = currency
        self._catalogue = Catalogue(client, connection, ttl=location_ttl)
        self._orders = OrderWriter(client, self._catalogue, connection, warehouse, invoice_method)
        self._shipping = Shipping(client, self._source)
        self._billing = Billing(client, self._source, currency)
        self._cancelling = SaleCancelling(client, connection)
        self._adjuster = StockAdjuster(client, self._catalogue, self._source)
        self._employees = EmployeeReads(client, self._source)

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability)

    @property
    def limits(self) -> FieldLimits:
        # Tryton's sale and shipment references are unsized char fields.
        return FieldLimits()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        return await self._adjuster.adjust(adjustment)

    # -- employees (company.employee; no payroll in Tryton, see system_apis.tryton.people) --

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        return await self._employees.list(filter, page)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        return await self._employees.get(native_id)

    # -- master data -------------------------------------------------------------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        if filter.native_ids is not None and not queries.record_ids(filter.native_ids):
            return _empty(page)
        companies = await self._catalogue.companies()
        search = queries.customer_search(filter, companies.parties)
        if search is None:
            return _empty(page)
        rows, offset, total = await read_page(
            self._client,
            "party.party",
            search.domain,
            CUSTOMER_FIELDS,
            page,
            order=queries.BY_ID,
            context=search.context,
            after=by_id_after,
        )
        items = guard(self._source.connection).mapped(
            lambda: [customer_from_tryton(r, self._source) for r in rows]
        )
        return Page[Customer](items=tuple(items), offset=offset, total=total)

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        search = queries.product_search(filter)
        if search is None:
            return _empty(page)
        currency = self._currency or (await self._catalogue.companies()).currency
        rows, offset, total = await read_page(
            self._client,
            PRODUCT,
            search.domain,
            PRODUCT_FIELDS,
            page,
            order=queries.BY_CODE,
            context=search.context,
            after=by_code_after,
        )
        items = guard(self._source.connection).mapped(
            lambda: [product_from_tryton(r, self._source, currency) for r in rows]
        )
        return Page[Product](items=tuple(items), offset=offset, total=total)

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        if filter.changed_since is not None:
            locations = await self._catalogue.storage_locations()
            return await changed_levels(
                self._client, locations, filter, filter.changed_since, page, self._source
            )
        domain = queries.stock_domain(filter.skus)
        if domain is None:
            return _empty(page)
        locations = await self._catalogue.storage_locations()
        if filter.location:
            locations = matching(locations, filter.location)
        if not locations:
            return _empty(page)
        if page.after is not None:
            return await levels_after(
                self._client, domain, locations, page, page.after, self._levels
            )
        if len(locations) == 1:
            (location,) = locations
            rows, _, total = await read_page(
                self._client,
                PRODUCT,
                domain,
                STOCK_FIELDS,
                page,
                order=queries.BY_CODE,
                context=stock_context(location),
            )
            levels = self._levels(rows, location)
            return Page[InventoryLevel](items=tuple(levels), offset=page.offset, total=total)
        return await self._inventory_across(domain, locations, page)

    async def _inventory_across(
        self, domain: list[Any], locations: list[StorageLocation], page: PageRequest
    ) -> Page[InventoryLevel]:
        counts = [
            await self._client.search_count(PRODUCT, domain, context=stock_context(location))
            for location in locations
        ]
        levels: list[InventoryLevel] = []
        skip = page.offset
        for location, count in zip(locations, counts, strict=True):
            if len(levels) >= page.limit:
                break
            if skip >= count:
                skip -= count
                continue
            rows = await self._client.search_read(
                PRODUCT,
                domain,
                STOCK_FIELDS,
                offset=skip,
                limit=page.limit - len(levels),
                order=queries.BY_CODE,
                context=stock_context(location),
            )
            levels.extend(self._levels(rows, location))
            skip = 0
        return Page[InventoryLevel](items=tuple(levels), offset=page.offset, total=sum(counts))

    def _levels(
        self, rows: list[dict[str, Any]], location: StorageLocation
    ) -> list[InventoryLevel]:
        return guard(self._source.connection).mapped(
            lambda: [inventory_from_tryton(row, location, self._source) for row in rows]
        )

    # -- sales orders ------------------------------------------------------------------------

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        domain = queries.sales_order_domain(filter)
        if domain is None:
            return _empty(page)
        offset = page.offset
        if filter.changed_since is not None:
            rows, total = await changed_rows(
                self._client,
                "sale.sale",
                domain,
                filter.changed_since,
                SALE_FIELDS,
                page,
                self._source.connection,
            )
        else:
            rows, offset, total = await read_page(
                self._client,
                "sale.sale",
                domain,
                SALE_FIELDS,
                page,
                order=queries.NEWEST_FIRST,
                after=newest_first_after,
            )
        items = guard(self._source.connection).mapped(lambda: [self._order(row) for row in rows])
        return Page[SalesOrder](items=tuple(items), offset=offset, total=total)

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        """Drafts, quotations and cancelled sales are not orders: NotFound."""
        row = await find_one(
            self._client,
            "sale.sale",
            native_id,
            SALE_FIELDS,
            what="sales order",
            domain=[("state", "in", list(ORDER_STATES))],
        )
        return guard(self._source.connection).mapped(lambda: self._order(row))

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        sale_id = await self._orders.create(draft)
        return await guard(self._source.connection).read_back(
            self.get_sales_order(str(sale_id)), f"sale {sale_id}"
        )

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        """Closes the sale as :mod:`.cancelling` describes; ``reason`` goes to its comment."""
        order = await self.get_sales_order(native_id)
        if not await self._cancelling.cancel(int(order.native_id), reason):
            return order
        return await guard(self._source.connection).read_back(
            self.get_sales_order(native_id), f"sale {native_id}"
        )

    def _order(self, row: dict[str, Any]) -> SalesOrder:
        return sales_order_from_tryton(row, self._source, self._currency)

    # -- fulfilment and billing --------------------------------------------------------------

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        return await self._shipping.list_deliveries(filter, page)

    async def create_delivery(self, order_native_id: str) -> Delivery:
        return await self._shipping.create_delivery(order_native_id)

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        return await self._shipping.post_goods_issue(delivery_native_id)

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        return await self._billing.list_invoices(filter, page)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        return await self._billing.create_invoice(order_native_id)


def _empty(page: PageRequest) -> Page[T]:
    return Page[T](items=(), offset=page.offset, total=0)
