"""``SapAdapter``: the ErpAdapter port implemented on SAP S/4HANA's OData v2 APIs.

Reads cost one upstream request each (``$expand`` brings lines, addresses and descriptions,
``$inlinecount=allpages`` the total, ``$top``/``$skip`` the page, or-joined key equalities a
DataLoader batch), except the filters on to-many navigations described in
:mod:`system_apis.sap.queries`, which first read the matching keys: two requests in all, more
for the documents of many orders (:mod:`system_apis.sap.documents`). The
queries themselves (services, entity sets, ``$select``/``$expand``/``$orderby``, ``$filter``
conditions) live in :mod:`system_apis.sap.queries`; this module sends them and maps the answers.

Inventory pages are pages of stock rows (``A_MatlStkInAcctMod``, unrestricted use only,
ordered by material, plant, storage location, batch) summed per material and location, so
``total`` counts stock rows. Where batches or special stocks split one level into several
rows, a page holds fewer levels than its limit and a level cut by a page boundary arrives in
two parts; SAP's stock API has no aggregating read that would avoid this in one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TypeVar
from zoneinfo import ZoneInfo

from system_apis.contracts.commands import SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.guards import MappingGuard
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import (
    Customer,
    CustomerDetail,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
    Source,
)
from system_apis.contracts.people import Employee, EmployeeDetail, EmployeeFilter
from system_apis.contracts.port import Capability, ErpAdapter
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
from system_apis.contracts.streaming import offset_chunks
from system_apis.sap import cancellation, credit, documents, invoicing, keyed, queries
from system_apis.sap.answers import JsonObject, ODataCollection, ODataEntity
from system_apis.sap.client import SapODataClient
from system_apis.sap.employees import SuccessFactorsEmployees
from system_apis.sap.export import EXPORT_WINDOW, SapStreams
from system_apis.sap.goods_issue import post_goods_issue
from system_apis.sap.mapping.billing import invoice_from_sap
from system_apis.sap.mapping.credit import limits_by_partner
from system_apis.sap.mapping.defaults import SAP_LIMITS, STANDARD_UNIT_DECIMALS, SapDefaults
from system_apis.sap.mapping.deliveries import delivery_body, delivery_from_sap, open_order_items
from system_apis.sap.mapping.material_documents import MovementTypes
from system_apis.sap.mapping.partners import customer_from_sap
from system_apis.sap.mapping.products import product_from_sap
from system_apis.sap.mapping.readers import expanded, required_text
from system_apis.sap.mapping.sales import sales_order_body, sales_order_from_sap
from system_apis.sap.mapping.stock import inventory_from_sap
from system_apis.sap.odata import Filter, all_of
from system_apis.sap.queries import EntityRead
from system_apis.sap.stock_movements import StockMovements

ERP_KIND = "sap"

T = TypeVar("T")


class SapAdapter:
    """One SAP S/4HANA connection behind the ErpAdapter port.

    ``connection`` names the configured connection (it prefixes canonical ids and is set on
    the client's errors when the client has no name of its own); ``client`` speaks the wire
    protocol and is closed by :meth:`aclose`. New sales orders get ``order_type`` and the
    sales area ``sales_organization``/``distribution_channel``/``division``; ``currency`` is
    used where SAP leaves a document's currency empty; ``language`` picks product names.
    Stock adjustments post ``receipt_movement_type`` or ``issue_movement_type`` (charged to
    ``issue_cost_center`` when given); ``time_zone`` is the SAP system's, in which material
    documents are time-stamped (see :mod:`system_apis.sap.stock_movements`). Exports ask
    ``export_window`` entities per request (see :mod:`system_apis.sap.export`). Employees are
    read from SuccessFactors: a paired connection's, else ``successfactors`` (none: no employees).
    A cancelled order's items get the reason for rejection ``rejection_reason``.
    """

    def __init__(
        self,
        connection: str,
        client: SapODataClient,
        *,
        sales_organization: str = "1010",
        distribution_channel: str = "10",
        division: str = "00",
        order_type: str = "OR",
        currency: str = "EUR",
        language: str = "EN",
        receipt_movement_type: str = "501",
        issue_movement_type: str = "551",
        issue_cost_center: str | None = None,
        time_zone: str = "UTC",
        unit_decimals: Mapping[str, int] = STANDARD_UNIT_DECIMALS,
        export_window: int = EXPORT_WINDOW,
        successfactors: SapODataClient | None = None,
        rejection_reason: str = cancellation.DEFAULT_REJECTION_REASON,
    ) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        if client.connection is None:
            client.connection = connection
        self._client = client
        self._guard = MappingGuard("SAP", connection)
        self._rejection_reason = rejection_reason
        self._employees: SuccessFactorsEmployees | ErpAdapter = SuccessFactorsEmployees(
            successfactors, self._source, self._guard
        )
        self._defaults = SapDefaults(
            sales_organization=sales_organization,
            distribution_channel=distribution_channel,
            division=division,
            order_type=order_type,
            currency=currency,
            language=language,
            unit_decimals=dict(unit_decimals),
        )
        self._movements = StockMovements(
            client,
            self._source,
            MovementTypes(receipt_movement_type, issue_movement_type, issue_cost_center),
            ZoneInfo(time_zone),
            self._guard.mapped,
            self._guard.written,
        )
        self._streams = SapStreams(
            client, self._source, self._defaults, self._guard, self._keys, window=export_window
        )

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        if not isinstance(self._employees, SuccessFactorsEmployees) or self._employees.paired:
            return frozenset(Capability)
        return frozenset(Capability) - {Capability.READ_EMPLOYEES}

    def read_employees_from(self, employees: ErpAdapter) -> None:  # a SuccessFactors adapter
        self._employees = employees

    @property
    def limits(self) -> FieldLimits:
        return SAP_LIMITS

    async def aclose(self) -> None:
        await self._client.aclose()
        await self._employees.aclose()

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        """Posts a material document once per reference (see :mod:`.stock_movements`)."""
        return await self._movements.adjust(adjustment)

    # -- master data -------------------------------------------------------------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        query = await queries.customer_query(filter, self._keys)
        if query is None:
            return _empty(page)
        answer, offset = await documents.read_page(self._client, query, page)
        found = self._page(answer, offset, lambda e: customer_from_sap(e, self._source))
        if CustomerDetail.CREDIT_LIMIT not in filter.details or not found.items:
            return found
        partners = self._guard.mapped(
            lambda: [required_text(e, "BusinessPartner") for e in answer.results]
        )
        accounts = await credit.credit_accounts(self._client, partners)
        by_partner = self._guard.mapped(lambda: limits_by_partner(accounts))
        items = tuple(
            customer.model_copy(update={"credit_limit": by_partner.get(partner)})
            for customer, partner in zip(found.items, partners, strict=True)
        )
        return found.model_copy(update={"items": items})

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        query = await queries.product_query(filter, self._defaults.language, self._keys)
        if query is None:
            return _empty(page)
        answer, offset = await documents.read_page(self._client, query, page)
        return self._page(
            answer, offset, lambda e: product_from_sap(e, self._source, self._defaults)
        )

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        if filter.changed_since is not None:
            return await self._movements.changed_levels(filter, page, filter.changed_since)
        conditions = queries.inventory_conditions(filter, self._source.connection)
        if conditions is None:
            return _empty(page)
        answer, offset = await self._list(queries.STOCK, conditions, page, keyed.after_level)
        rows = keyed.whole_levels(answer.results, page)
        levels = self._guard.mapped(lambda: inventory_from_sap(rows, self._source))
        total = answer.count if answer.count is not None else offset + len(rows)
        return Page[InventoryLevel](items=tuple(levels), offset=offset, total=total)

    # -- sales orders ------------------------------------------------------------------------

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        query = await queries.sales_order_query(filter, self._keys)
        if query is None:
            return _empty(page)
        answer, offset = await documents.read_page(self._client, query, page)
        billed = None  # the billing state unread: only the orders' own headers tell it
        if filter.billing_state or filter.status is not None:
            billed = await invoicing.billed_of(self._client, answer.results)
        return self._page(answer, offset, lambda e: self._order(e, billed))

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        entity = await self._get(queries.SALES_ORDERS, native_id)
        billed = await invoicing.billed_of(self._client, [entity.data])
        return self._guard.mapped(lambda: self._order(entity.data, billed))

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        try:
            body = sales_order_body(draft, self._defaults)
        except ValueError as exc:
            raise ValidationRejected(str(exc), connection=self._source.connection) from exc
        created = await self._client.create(
            queries.SALES_ORDERS.service, queries.SALES_ORDERS.entity_set, body
        )
        if expanded(created.data, "to_Item") is not None:
            return self._guard.written(lambda: self._order(created.data, {}))
        number = self._guard.written(lambda: str(created.data["SalesOrder"]))
        return await self._guard.read_back(self.get_sales_order(number), f"sales order {number}")

    async def cancel_order(self, native_id: str, reason: str | None = None) -> SalesOrder:
        """Rejects every item (see :mod:`system_apis.sap.cancellation`); SAP keeps no free
        text there, so ``reason`` is not written."""
        entity = await self._get(queries.SALES_ORDERS, native_id)
        billed = await invoicing.billed_of(self._client, [entity.data])
        order = self._guard.mapped(lambda: self._order(entity.data, billed))
        if not await cancellation.cancel(
            self._client, entity.data, order, self.list_deliveries, self._rejection_reason
        ):
            return order
        return await self._guard.read_back(self.get_sales_order(native_id), f"order {native_id}")

    # -- fulfilment --------------------------------------------------------------------------

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        query = await queries.delivery_query(filter, self._keys)
        if query is None:
            return _empty(page)
        answer, offset = await documents.read_page(self._client, query, page)
        return self._page(answer, offset, lambda e: delivery_from_sap(e, self._source))

    async def create_delivery(self, order_native_id: str) -> Delivery:
        order = await self._get(queries.SALES_ORDERS, order_native_id)
        items = self._guard.mapped(lambda: open_order_items(order.data))
        if not items:
            raise ValidationRejected(
                f"sales order {order_native_id} has no open items to deliver",
                connection=self._source.connection,
            )
        created = await self._client.create(
            queries.DELIVERIES.service,
            queries.DELIVERIES.entity_set,
            delivery_body(order_native_id, items),
        )
        if expanded(created.data, "to_DeliveryDocumentItem") is not None:
            return self._guard.written(lambda: delivery_from_sap(created.data, self._source))
        number = self._guard.written(lambda: str(created.data["DeliveryDocument"]))
        return await self._guard.read_back(self._get_delivery(number), f"delivery {number}")

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        """Picks and posts the goods issue (see :mod:`.goods_issue`); an issued one is returned."""
        read = queries.DELIVERIES
        current = await self._get(read, delivery_native_id)
        delivery = self._guard.mapped(lambda: delivery_from_sap(current.data, self._source))
        if delivery.goods_issued:
            return delivery
        await post_goods_issue(self._client, current, lambda: self._get(read, delivery_native_id))
        return await self._guard.read_back(
            self._get_delivery(delivery_native_id),
            f"the goods issue of delivery {delivery_native_id}",
        )

    async def _get_delivery(self, native_id: str) -> Delivery:
        entity = await self._get(queries.DELIVERIES, native_id)
        return self._guard.mapped(lambda: delivery_from_sap(entity.data, self._source))

    # -- billing -----------------------------------------------------------------------------

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        query = await queries.invoice_query(filter, self._keys)
        if query is None:
            return _empty(page)
        answer, offset = await documents.read_page(self._client, query, page)
        return self._page(answer, offset, self._invoice)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        """Bills the order's goods-issued deliveries not yet billed (see :mod:`.invoicing`)."""
        due = await invoicing.due_deliveries(self._client, order_native_id)
        if not due:
            raise ValidationRejected(
                f"sales order {order_native_id} has no delivered items due for billing",
                connection=self._source.connection,
            )
        number = await invoicing.create_billing_document(self._client, due)
        return await self._guard.read_back(self._get_invoice(number), f"billing document {number}")

    async def _get_invoice(self, native_id: str) -> Invoice:
        entity = await self._get(queries.INVOICES, native_id)
        return self._guard.mapped(lambda: self._invoice(entity.data))

    # -- whole record sets (see system_apis.sap.export) -----------------------------------

    def stream_customers(self, filter: CustomerFilter) -> AsyncIterator[Sequence[Customer]]:
        return self._streams.customers(filter)

    def stream_products(self, filter: ProductFilter) -> AsyncIterator[Sequence[Product]]:
        return self._streams.products(filter)

    def stream_inventory(self, filter: InventoryFilter) -> AsyncIterator[Sequence[InventoryLevel]]:
        if filter.changed_since is not None:
            return offset_chunks(lambda page: self.list_inventory(filter, page))
        return self._streams.inventory(filter)

    def stream_sales_orders(self, filter: SalesOrderFilter) -> AsyncIterator[Sequence[SalesOrder]]:
        if filter.changed_since is not None:
            return offset_chunks(lambda page: self.list_sales_orders(filter, page))
        return self._streams.sales_orders(filter)

    def stream_invoices(self, filter: InvoiceFilter) -> AsyncIterator[Sequence[Invoice]]:
        if filter.changed_since is not None:
            return offset_chunks(lambda page: self.list_invoices(filter, page))
        return self._streams.invoices(filter)

    # -- employees (from the paired SuccessFactors system, see system_apis.sap.employees) --

    async def list_employees(self, filter: EmployeeFilter, page: PageRequest) -> Page[Employee]:
        return await self._employees.list_employees(filter, page)

    async def get_employee(
        self, native_id: str, details: frozenset[EmployeeDetail] = frozenset()
    ) -> Employee:
        return await self._employees.get_employee(native_id, details)

    # -- helpers -----------------------------------------------------------------------------

    def _order(self, entity: JsonObject, billed: invoicing.BilledQuantities | None) -> SalesOrder:
        billing = None if billed is None else invoicing.billing_state(entity, billed)
        return sales_order_from_sap(entity, self._source, self._defaults, billing)

    def _invoice(self, entity: JsonObject) -> Invoice:
        return invoice_from_sap(entity, self._source, self._defaults)

    async def _list(
        self,
        read: EntityRead,
        conditions: list[Filter],
        page: PageRequest,
        after: keyed.Clause | None,
    ) -> tuple[ODataCollection, int]:
        """A page of ``read`` with its total and the records before it (see :mod:`.keyed`)."""
        condition = all_of(*conditions) if conditions else None
        return await keyed.read_page(self._client, read, condition, page, after)

    async def _get(self, read: EntityRead, native_id: str) -> ODataEntity:
        return await self._client.get_entity(
            read.service, read.entity_set, native_id, select=read.select, expand=read.expand
        )

    async def _keys(
        self, service: str, entity_set: str, condition: Filter | Sequence[Filter], key: str
    ) -> list[str]:
        """Distinct values of ``key`` over the rows of ``entity_set`` matching ``condition``."""
        conditions = [condition] if isinstance(condition, Filter) else list(condition)
        answers = await self._client.get_all_of(
            service, entity_set, conditions, select=[key], orderby=[key]
        )
        return list(dict.fromkeys(str(r[key]) for rows in answers for r in rows if r.get(key)))

    def _page(
        self, answer: ODataCollection, offset: int, convert: Callable[[JsonObject], T]
    ) -> Page[T]:
        items = tuple(self._guard.mapped(lambda: [convert(entity) for entity in answer.results]))
        total = answer.count if answer.count is not None else offset + len(items)
        return Page[T](items=items, offset=offset, total=total)


def _empty(page: PageRequest) -> Page[T]:
    return Page[T](items=(), offset=page.offset, total=0)
