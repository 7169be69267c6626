"""``SapAdapter``: the ErpAdapter port implemented on SAP S/4HANA's OData v2 APIs.

Reads cost one upstream request each (``$expand`` brings lines, addresses and descriptions,
``$inlinecount=allpages`` the total, ``$top``/``$skip`` the page, or-joined key equalities a
DataLoader batch). OData v2 cannot filter a collection on a to-many navigation, so three
filters first read the matching keys from the child set and then page the parents by key,
two requests in all:

* customers by ``country``: keys from ``A_BusinessPartnerAddress`` (``Country eq``);
* products by ``name_contains``: keys from ``A_ProductDescription`` in the adapter language;
* deliveries by ``order_native_id``: keys from ``A_OutbDeliveryItem`` (``ReferenceSDDocument``),
  and invoices by ``order_native_id``: keys from ``A_BillingDocumentItem`` (``SalesDocument``).

``name_contains`` ignores case (``substringof`` over ``tolower`` of the property).

Inventory pages are pages of stock rows (``A_MatlStkInAcctMod``, unrestricted use only,
ordered by material, plant, storage location, batch) summed per material and location, so
``total`` counts stock rows. Where batches or special stocks split one level into several
rows, a page holds fewer levels than its limit and a level cut by a page boundary arrives in
two parts; SAP's stock API has no aggregating read that would avoid this in one request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError

from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.errors import (
    ErpError,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
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
from system_apis.sap import mapping
from system_apis.sap.client import JsonObject, ODataCollection, SapODataClient
from system_apis.sap.mapping import SapDefaults
from system_apis.sap.odata import (
    Filter,
    all_of,
    eq,
    ge,
    le,
    ne,
    one_of,
    substringof,
)

BUSINESS_PARTNER = "API_BUSINESS_PARTNER"
PRODUCT = "API_PRODUCT_SRV"
MATERIAL_STOCK = "API_MATERIAL_STOCK_SRV"
SALES_ORDER = "API_SALES_ORDER_SRV"
OUTBOUND_DELIVERY = "API_OUTBOUND_DELIVERY_SRV;v=0002"
BILLING_DOCUMENT = "API_BILLING_DOCUMENT_SRV"

ERP_KIND = "sap"

T = TypeVar("T")


class SapAdapter:
    """One SAP S/4HANA connection behind the ErpAdapter port.

    ``connection`` names the configured connection (it prefixes canonical ids and is set on
    the client's errors when the client has no name of its own); ``client`` speaks the wire
    protocol and is closed by :meth:`aclose`. New sales orders get ``order_type`` and the
    sales area ``sales_organization``/``distribution_channel``/``division``; ``currency`` is
    used where SAP leaves a document's currency empty; ``language`` picks product names.
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
    ) -> None:
        self._source = Source(connection=connection, erp=ERP_KIND)
        if client.connection is None:
            client.connection = connection
        self._client = client
        self._defaults = SapDefaults(
            sales_organization=sales_organization,
            distribution_channel=distribution_channel,
            division=division,
            order_type=order_type,
            currency=currency,
            language=language,
        )

    @property
    def source(self) -> Source:
        return self._source

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(Capability)

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- master data -------------------------------------------------------------------------

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]:
        conditions = [ne("Customer", "")]
        if filter.native_ids is not None:
            if not filter.native_ids:
                return _empty(page)
            conditions.append(one_of("Customer", filter.native_ids))
        if filter.name_contains:
            conditions.append(
                substringof(filter.name_contains, "BusinessPartnerFullName", ignore_case=True)
            )
        if filter.country:
            partners = await self._keys(
                BUSINESS_PARTNER,
                "A_BusinessPartnerAddress",
                eq("Country", filter.country.upper()),
                "BusinessPartner",
            )
            if not partners:
                return _empty(page)
            conditions.append(one_of("BusinessPartner", partners))
        answer = await self._client.get_collection(
            BUSINESS_PARTNER,
            "A_BusinessPartner",
            filter=all_of(*conditions),
            select=mapping.CUSTOMER_SELECT,
            expand=["to_BusinessPartnerAddress"],
            orderby=["Customer"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return self._page(answer, page, lambda e: mapping.customer_from_sap(e, self._source))

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]:
        conditions: list[Filter] = []
        if filter.skus is not None:
            if not filter.skus:
                return _empty(page)
            conditions.append(one_of("Product", filter.skus))
        if filter.product_group:
            conditions.append(eq("ProductGroup", filter.product_group))
        if filter.name_contains:
            products = await self._keys(
                PRODUCT,
                "A_ProductDescription",
                all_of(
                    eq("Language", self._defaults.language),
                    substringof(filter.name_contains, "ProductDescription", ignore_case=True),
                ),
                "Product",
            )
            if not products:
                return _empty(page)
            conditions.append(one_of("Product", products))
        answer = await self._client.get_collection(
            PRODUCT,
            "A_Product",
            filter=all_of(*conditions) if conditions else None,
            select=mapping.PRODUCT_SELECT,
            expand=["to_Description"],
            orderby=["Product"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return self._page(
            answer, page, lambda e: mapping.product_from_sap(e, self._source, self._defaults)
        )

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]:
        conditions = [eq("InventoryStockType", mapping.UNRESTRICTED_STOCK)]
        if filter.skus is not None:
            if not filter.skus:
                return _empty(page)
            conditions.append(one_of("Material", filter.skus))
        if filter.location:
            try:
                plant, storage_location = mapping.split_location(filter.location)
            except ValueError as exc:
                raise ValidationRejected(str(exc), connection=self._source.connection) from exc
            conditions.append(eq("Plant", plant))
            if storage_location:
                conditions.append(eq("StorageLocation", storage_location))
        answer = await self._client.get_collection(
            MATERIAL_STOCK,
            "A_MatlStkInAcctMod",
            filter=all_of(*conditions),
            select=mapping.STOCK_SELECT,
            orderby=["Material", "Plant", "StorageLocation", "Batch"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        levels = self._mapped(lambda: mapping.inventory_from_sap(answer.results, self._source))
        total = answer.count if answer.count is not None else page.offset + len(answer.results)
        return Page[InventoryLevel](items=tuple(levels), offset=page.offset, total=total)

    # -- sales orders ------------------------------------------------------------------------

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]:
        conditions: list[Filter] = []
        if filter.native_ids is not None:
            if not filter.native_ids:
                return _empty(page)
            conditions.append(one_of("SalesOrder", filter.native_ids))
        if filter.customer_native_id:
            conditions.append(eq("SoldToParty", filter.customer_native_id))
        if filter.external_reference:
            conditions.append(eq("PurchaseOrderByCustomer", filter.external_reference))
        if filter.status is not None:
            conditions.append(_order_status_filter(filter.status))
        if filter.delivery_status is not None:
            conditions.append(
                eq("OverallTotalDeliveryStatus", mapping.status_code(filter.delivery_status))
            )
        if filter.date_from is not None:
            conditions.append(ge("SalesOrderDate", filter.date_from))
        if filter.date_to is not None:
            conditions.append(le("SalesOrderDate", filter.date_to))
        answer = await self._client.get_collection(
            SALES_ORDER,
            "A_SalesOrder",
            filter=all_of(*conditions) if conditions else None,
            select=mapping.SALES_ORDER_SELECT,
            expand=["to_Item"],
            orderby=["SalesOrderDate desc", "SalesOrder desc"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return self._page(answer, page, self._order)

    async def get_sales_order(self, native_id: str) -> SalesOrder:
        entity = await self._client.get_entity(
            SALES_ORDER,
            "A_SalesOrder",
            native_id,
            select=mapping.SALES_ORDER_SELECT,
            expand=["to_Item"],
        )
        return self._mapped(lambda: self._order(entity.data))

    async def create_sales_order(self, draft: SalesOrderDraft) -> SalesOrder:
        try:
            body = mapping.sales_order_body(draft, self._defaults)
        except ValueError as exc:
            raise ValidationRejected(str(exc), connection=self._source.connection) from exc
        created = await self._client.create(SALES_ORDER, "A_SalesOrder", body)
        if mapping.expanded(created.data, "to_Item") is not None:
            return self._written(lambda: self._order(created.data))
        number = self._written(lambda: str(created.data["SalesOrder"]))
        return await self._read_back(self.get_sales_order(number), f"sales order {number}")

    # -- fulfilment --------------------------------------------------------------------------

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        conditions: list[Filter] = []
        if filter.native_ids is not None:
            if not filter.native_ids:
                return _empty(page)
            conditions.append(one_of("DeliveryDocument", filter.native_ids))
        if filter.order_native_id:
            deliveries = await self._keys(
                OUTBOUND_DELIVERY,
                "A_OutbDeliveryItem",
                eq("ReferenceSDDocument", filter.order_native_id),
                "DeliveryDocument",
            )
            if not deliveries:
                return _empty(page)
            conditions.append(one_of("DeliveryDocument", deliveries))
        answer = await self._client.get_collection(
            OUTBOUND_DELIVERY,
            "A_OutbDeliveryHeader",
            filter=all_of(*conditions) if conditions else None,
            select=mapping.DELIVERY_SELECT,
            expand=["to_DeliveryDocumentItem"],
            orderby=["DeliveryDocument"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return self._page(answer, page, lambda e: mapping.delivery_from_sap(e, self._source))

    async def create_delivery(self, order_native_id: str) -> Delivery:
        order = await self._client.get_entity(
            SALES_ORDER,
            "A_SalesOrder",
            order_native_id,
            select=mapping.SALES_ORDER_SELECT,
            expand=["to_Item"],
        )
        items = self._mapped(lambda: mapping.open_order_items(order.data))
        if not items:
            raise ValidationRejected(
                f"sales order {order_native_id} has no open items to deliver",
                connection=self._source.connection,
            )
        created = await self._client.create(
            OUTBOUND_DELIVERY,
            "A_OutbDeliveryHeader",
            mapping.delivery_body(order_native_id, items),
        )
        if mapping.expanded(created.data, "to_DeliveryDocumentItem") is not None:
            return self._written(lambda: mapping.delivery_from_sap(created.data, self._source))
        number = self._written(lambda: str(created.data["DeliveryDocument"]))
        return await self._read_back(self._get_delivery(number), f"delivery {number}")

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        """Posts the goods issue; a delivery already issued is returned as it is."""
        current = await self._client.get_entity(
            OUTBOUND_DELIVERY,
            "A_OutbDeliveryHeader",
            delivery_native_id,
            select=mapping.DELIVERY_SELECT,
            expand=["to_DeliveryDocumentItem"],
        )
        delivery = self._mapped(lambda: mapping.delivery_from_sap(current.data, self._source))
        if delivery.goods_issued:
            return delivery
        posted = await self._client.call_function(
            OUTBOUND_DELIVERY,
            "PostGoodsIssue",
            {"DeliveryDocument": delivery_native_id},
            if_match=current.etag,
        )
        if not posted.data.get("DeliveryDocument"):
            return await self._read_back(
                self._get_delivery(delivery_native_id),
                f"the goods issue of delivery {delivery_native_id}",
            )
        items = mapping.expanded(posted.data, "to_DeliveryDocumentItem")
        if items is None:
            items = mapping.expanded(current.data, "to_DeliveryDocumentItem")
        return self._written(lambda: mapping.delivery_from_sap(posted.data, self._source, items))

    async def _get_delivery(self, native_id: str) -> Delivery:
        entity = await self._client.get_entity(
            OUTBOUND_DELIVERY,
            "A_OutbDeliveryHeader",
            native_id,
            select=mapping.DELIVERY_SELECT,
            expand=["to_DeliveryDocumentItem"],
        )
        return self._mapped(lambda: mapping.delivery_from_sap(entity.data, self._source))

    # -- billing -----------------------------------------------------------------------------

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        conditions: list[Filter] = []
        if filter.native_ids is not None:
            if not filter.native_ids:
                return _empty(page)
            conditions.append(one_of("BillingDocument", filter.native_ids))
        if filter.customer_native_id:
            conditions.append(eq("SoldToParty", filter.customer_native_id))
        if filter.date_from is not None:
            conditions.append(ge("BillingDocumentDate", filter.date_from))
        if filter.date_to is not None:
            conditions.append(le("BillingDocumentDate", filter.date_to))
        if filter.order_native_id:
            documents = await self._keys(
                BILLING_DOCUMENT,
                "A_BillingDocumentItem",
                eq("SalesDocument", filter.order_native_id),
                "BillingDocument",
            )
            if not documents:
                return _empty(page)
            conditions.append(one_of("BillingDocument", documents))
        answer = await self._client.get_collection(
            BILLING_DOCUMENT,
            "A_BillingDocument",
            filter=all_of(*conditions) if conditions else None,
            select=mapping.BILLING_DOCUMENT_SELECT,
            expand=["to_Item"],
            orderby=["BillingDocument"],
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return self._page(answer, page, self._invoice)

    async def create_invoice(self, order_native_id: str) -> Invoice:
        created = await self._client.call_function(
            BILLING_DOCUMENT, "CreateFromSDDocument", {"SDDocument": order_native_id}
        )
        if mapping.expanded(created.data, "to_Item") is not None:
            return self._written(lambda: self._invoice(created.data))
        number = self._written(lambda: str(created.data["BillingDocument"]))
        return await self._read_back(self._get_invoice(number), f"billing document {number}")

    async def _get_invoice(self, native_id: str) -> Invoice:
        entity = await self._client.get_entity(
            BILLING_DOCUMENT,
            "A_BillingDocument",
            native_id,
            select=mapping.BILLING_DOCUMENT_SELECT,
            expand=["to_Item"],
        )
        return self._mapped(lambda: self._invoice(entity.data))

    # -- helpers -----------------------------------------------------------------------------

    def _order(self, entity: JsonObject) -> SalesOrder:
        return mapping.sales_order_from_sap(entity, self._source, self._defaults)

    def _invoice(self, entity: JsonObject) -> Invoice:
        return mapping.invoice_from_sap(entity, self._source, self._defaults)

    async def _keys(self, service: str, entity_set: str, condition: Filter, key: str) -> list[str]:
        """Distinct values of ``key`` over the rows of ``entity_set`` matching ``condition``."""
        rows = await self._client.get_all(
            service, entity_set, filter=condition, select=[key], orderby=[key]
        )
        return list(dict.fromkeys(str(row[key]) for row in rows if row.get(key)))

    async def _read_back(self, read: Awaitable[T], what: str) -> T:
        """Reads the result of a write SAP accepted; failing that, the outcome is unknown.

        Reporting such a failure as plain Unavailable would invite a retry of the write.
        """
        try:
            return await read
        except ErpError as exc:
            raise UnknownOutcome(
                f"SAP posted {what} but reading it back failed: {exc.message}",
                code=exc.code,
                connection=self._source.connection,
            ) from exc

    def _page(
        self, answer: ODataCollection, page: PageRequest, convert: Callable[[JsonObject], T]
    ) -> Page[T]:
        items = tuple(self._mapped(lambda: [convert(entity) for entity in answer.results]))
        total = answer.count if answer.count is not None else page.offset + len(items)
        return Page[T](items=items, offset=page.offset, total=total)

    def _mapped(self, convert: Callable[[], T]) -> T:
        """Runs a mapping; a payload SAP should not have sent becomes Unavailable."""
        try:
            return convert()
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise Unavailable(
                f"SAP answered a payload the adapter cannot read: {exc}",
                connection=self._source.connection,
            ) from exc

    def _written(self, convert: Callable[[], T]) -> T:
        """Like :meth:`_mapped` for a write SAP accepted: the outcome is unknown to the caller."""
        try:
            return convert()
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            raise UnknownOutcome(
                f"SAP accepted the write but answered a payload the adapter cannot read: {exc}",
                connection=self._source.connection,
            ) from exc


def _empty(page: PageRequest) -> Page[T]:
    return Page[T](items=(), offset=page.offset, total=0)


def _order_status_filter(status: OrderStatus) -> Filter:
    """The ``$filter`` matching :func:`mapping.order_status`."""
    delivery = "OverallTotalDeliveryStatus"
    billing = "OverallOrdReltdBillgStatus"
    complete = mapping.status_code(DocumentStatus.COMPLETE)
    partial = mapping.status_code(DocumentStatus.PARTIAL)
    if status is OrderStatus.INVOICED:
        return eq(billing, complete)
    if status is OrderStatus.SHIPPED:
        return all_of(eq(delivery, complete), ne(billing, complete))
    if status is OrderStatus.PARTIALLY_SHIPPED:
        return all_of(eq(delivery, partial), ne(billing, complete))
    return all_of(ne(delivery, complete), ne(delivery, partial), ne(billing, complete))
