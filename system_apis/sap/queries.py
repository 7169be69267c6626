"""The OData queries of ``SapAdapter``: where each entity is read and how port filters translate.

:class:`EntityRead` names the service, entity set, ``$select``, ``$expand`` and ``$orderby`` of
one kind of entity. The ``*_conditions`` functions turn a port filter into ``$filter``
conditions, to be and-joined; they answer None when the filter can match nothing (an empty id
list, no matching keys), and the adapter then answers an empty page without reading further.

OData v2 cannot filter a collection on a to-many navigation, so three filters first read the
matching keys from the child set (through a :class:`KeyReader`) and then filter the parents by
key, two requests in all:

* customers by ``country``: keys from ``A_BusinessPartnerAddress`` (``Country eq``);
* products by ``name_contains``: keys from ``A_ProductDescription`` in the adapter language;
* deliveries by order: keys from ``A_OutbDeliveryItem`` (``ReferenceSDDocument``), and
  invoices by order: keys from ``A_BillingDocumentItem`` (``SalesDocument``); many orders
  (``order_native_ids``) cost one request per :data:`KEY_CHUNK` orders, and the documents
  one per :data:`KEY_CHUNK` numbers (:class:`DocumentQuery`).

``name_contains`` ignores case (``substringof`` over ``tolower`` of the property).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.models import DocumentStatus, OrderStatus
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.sap.mapping.codes import split_location, status_code
from system_apis.sap.mapping.sales import ALL_REJECTED
from system_apis.sap.mapping.selects import (
    BILLING_DOCUMENT_SELECT,
    CUSTOMER_SELECT,
    DELIVERY_SELECT,
    PRODUCT_SELECT,
    SALES_ORDER_SELECT,
    STOCK_SELECT,
)
from system_apis.sap.mapping.stock import UNRESTRICTED_STOCK
from system_apis.sap.odata import (
    Filter,
    all_of,
    any_of,
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


@dataclass(frozen=True)
class EntityRead:
    """Where one kind of entity lives and which properties, navigations and order a read asks."""

    service: str
    entity_set: str
    select: tuple[str, ...]
    expand: tuple[str, ...] = ()
    orderby: tuple[str, ...] = ()


CUSTOMERS = EntityRead(
    BUSINESS_PARTNER,
    "A_BusinessPartner",
    CUSTOMER_SELECT,
    expand=("to_BusinessPartnerAddress",),
    orderby=("Customer",),
)
PRODUCTS = EntityRead(
    PRODUCT, "A_Product", PRODUCT_SELECT, expand=("to_Description",), orderby=("Product",)
)
STOCK = EntityRead(
    MATERIAL_STOCK,
    "A_MatlStkInAcctMod",
    STOCK_SELECT,
    orderby=("Material", "Plant", "StorageLocation", "Batch"),
)
SALES_ORDERS = EntityRead(
    SALES_ORDER,
    "A_SalesOrder",
    SALES_ORDER_SELECT,
    expand=("to_Item",),
    orderby=("SalesOrderDate desc", "SalesOrder desc"),
)
DELIVERIES = EntityRead(
    OUTBOUND_DELIVERY,
    "A_OutbDeliveryHeader",
    DELIVERY_SELECT,
    expand=("to_DeliveryDocumentItem",),
    orderby=("DeliveryDocument",),
)
INVOICES = EntityRead(
    BILLING_DOCUMENT,
    "A_BillingDocument",
    BILLING_DOCUMENT_SELECT,
    expand=("to_Item",),
    orderby=("BillingDocument",),
)


BY_CHANGE = ("LastChangeDateTime",)
"""``$orderby`` of change capture: oldest change first (then the document number)."""

KEY_CHUNK = 40
"""The most keys one ``$filter`` names as or-joined equalities: the URL stays a few kB long,
well within what SAP's gateways and the proxies before them accept."""


def key_chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start : start + KEY_CHUNK] for start in range(0, len(values), KEY_CHUNK)]


def alpha_order(value: str) -> str:
    """How SAP orders ALPHA document numbers: numeric ones as if padded to ten digits."""
    return value.rjust(10, "0") if value.isdigit() else value


class KeyReader(Protocol):
    """Distinct values of ``key`` over the rows of ``entity_set`` matching ``condition``, or
    any of several conditions (one read each, together in one ``$batch`` where allowed)."""

    async def __call__(
        self, service: str, entity_set: str, condition: Filter | Sequence[Filter], key: str
    ) -> list[str]: ...


async def customer_query(filter: CustomerFilter, keys: KeyReader) -> DocumentQuery | None:
    """Customers by ``native_ids`` and by the business partners of ``country``, read in
    chunks of :data:`KEY_CHUNK` keys (see :mod:`system_apis.sap.documents`); with both, the
    business partners of the named customers (read in chunks too) that are the country's."""
    conditions = [ne("Customer", "")]
    if filter.native_ids is not None and not filter.native_ids:
        return None
    if filter.name_contains:
        conditions.append(
            substringof(filter.name_contains, "BusinessPartnerFullName", ignore_case=True)
        )
    key, numbers = "Customer", filter.native_ids
    if filter.country:
        partners = await keys(
            BUSINESS_PARTNER,
            "A_BusinessPartnerAddress",
            eq("Country", filter.country.upper()),
            "BusinessPartner",
        )
        if not partners:
            return None
        if numbers is not None:
            chunks = [one_of("Customer", chunk) for chunk in key_chunks(numbers)]
            named = await keys(BUSINESS_PARTNER, CUSTOMERS.entity_set, chunks, "BusinessPartner")
            in_country = set(partners)
            partners = [partner for partner in named if partner in in_country]
            if not partners:
                return None
        key, numbers = "BusinessPartner", partners
    return DocumentQuery(CUSTOMERS, key, conditions, _ordered(numbers))


async def product_query(
    filter: ProductFilter, language: str, keys: KeyReader
) -> DocumentQuery | None:
    """Products by ``skus`` and those whose name (in ``language``) contains ``name_contains``,
    read in chunks of :data:`KEY_CHUNK` product numbers."""
    if filter.skus is not None and not filter.skus:
        return None
    conditions: list[Filter] = []
    if filter.product_group:
        conditions.append(eq("ProductGroup", filter.product_group))
    numbers = filter.skus
    if filter.name_contains:
        products = await keys(
            PRODUCT,
            "A_ProductDescription",
            all_of(
                eq("Language", language),
                substringof(filter.name_contains, "ProductDescription", ignore_case=True),
            ),
            "Product",
        )
        named = set(products)
        numbers = products if numbers is None else [n for n in numbers if n in named]
        if not numbers:
            return None
    return DocumentQuery(PRODUCTS, "Product", conditions, _ordered(numbers))


def _ordered(numbers: Sequence[str] | None) -> list[str] | None:
    return None if numbers is None else sorted(dict.fromkeys(numbers), key=alpha_order)


def inventory_conditions(filter: InventoryFilter, connection: str) -> list[Filter] | None:
    """Unrestricted-use stock only; a malformed location is ValidationRejected on ``connection``."""
    conditions = [eq("InventoryStockType", UNRESTRICTED_STOCK)]
    if filter.skus is not None:
        if not filter.skus:
            return None
        conditions.append(one_of("Material", filter.skus))
    if filter.location:
        try:
            plant, storage_location = split_location(filter.location)
        except ValueError as exc:
            raise ValidationRejected(str(exc), connection=connection) from exc
        conditions.append(eq("Plant", plant))
        if storage_location:
            conditions.append(eq("StorageLocation", storage_location))
    return conditions


async def sales_order_query(filter: SalesOrderFilter, keys: KeyReader) -> DocumentQuery | None:
    """Sales orders by ``native_ids`` and the status filter's numbers, in chunks of
    :data:`KEY_CHUNK` numbers; the rest of the filter as ``$filter`` conditions.

    The status filters ``invoiced`` and ``shipped`` depend on which orders billing documents
    reference (:func:`_order_status_filter`); while those are few they are one ``$filter``,
    beyond :data:`KEY_CHUNK` they become the numbers the read is restricted to: for
    ``invoiced`` the referenced orders (order-related billing references its order too), for
    ``shipped`` the completely delivered orders not referenced, found by their numbers first.
    """
    if filter.native_ids is not None and not filter.native_ids:
        return None
    read = SALES_ORDERS
    if filter.changed_since is not None:
        read = replace(read, orderby=(*BY_CHANGE, "SalesOrder"))
    conditions: list[Filter] = []
    if filter.customer_native_id:
        conditions.append(eq("SoldToParty", filter.customer_native_id))
    if filter.external_reference:
        conditions.append(eq("PurchaseOrderByCustomer", filter.external_reference))
    numbers: list[str] | None = None if filter.native_ids is None else list(filter.native_ids)
    if filter.status is not None:
        found = await _status_conditions(filter.status, keys)
        if found is None:
            return None
        conditions.extend(found[0])
        if found[1] is not None:
            allowed = set(found[1])
            numbers = found[1] if numbers is None else [n for n in numbers if n in allowed]
            if not numbers:
                return None
    conditions.extend(_later_order_conditions(filter))
    return DocumentQuery(read, "SalesOrder", conditions, _ordered(numbers))


async def _status_conditions(
    status: OrderStatus, keys: KeyReader
) -> tuple[list[Filter], list[str] | None] | None:
    """The conditions of a status filter and the order numbers it allows (None: any)."""
    if status not in (OrderStatus.INVOICED, OrderStatus.SHIPPED):
        return [_order_status_filter(status, [])], None
    billed = await keys(
        BILLING_DOCUMENT, "A_BillingDocumentItem", ne("SalesDocument", ""), "SalesDocument"
    )
    if len(billed) <= KEY_CHUNK:
        return [_order_status_filter(status, billed)], None
    delivery, billing = "OverallTotalDeliveryStatus", "OverallOrdReltdBillgStatus"
    complete = status_code(DocumentStatus.COMPLETE)
    kept = ne("OverallSDDocumentRejectionSts", ALL_REJECTED)
    if status is OrderStatus.INVOICED:
        return [any_of(eq(billing, complete), eq(delivery, complete)), kept], billed
    shipped = all_of(eq(delivery, complete), ne(billing, complete), kept)
    delivered = await keys(SALES_ORDER, "A_SalesOrder", shipped, "SalesOrder")
    referenced = set(billed)
    unbilled = [number for number in delivered if number not in referenced]
    return ([shipped], unbilled) if unbilled else None


def _later_order_conditions(filter: SalesOrderFilter) -> list[Filter]:
    conditions: list[Filter] = []
    if filter.delivery_status is not None:
        conditions.append(eq("OverallTotalDeliveryStatus", status_code(filter.delivery_status)))
    if filter.date_from is not None:
        conditions.append(ge("SalesOrderDate", filter.date_from))
    if filter.date_to is not None:
        conditions.append(le("SalesOrderDate", filter.date_to))
    if filter.changed_since is not None:
        conditions.append(ge("LastChangeDateTime", _aware(filter.changed_since)))
    return conditions


@dataclass(frozen=True)
class DocumentQuery:
    """A read of entities restricted to keys (documents, customers, products): ``conditions``
    and-joined, and where ``numbers`` is not None only those values of ``key``, in SAP's order.

    The numbers are or-joined key equalities, at most :data:`KEY_CHUNK` per request (see
    :mod:`system_apis.sap.documents`).
    """

    read: EntityRead
    key: str
    conditions: list[Filter]
    numbers: list[str] | None = None


async def delivery_query(filter: DeliveryFilter, keys: KeyReader) -> DocumentQuery | None:
    numbers = await _document_numbers(
        filter.native_ids,
        filter.orders(),
        lambda chunks: keys(OUTBOUND_DELIVERY, "A_OutbDeliveryItem", chunks, "DeliveryDocument"),
        "ReferenceSDDocument",
    )
    if numbers is not None and not numbers:
        return None
    return DocumentQuery(DELIVERIES, "DeliveryDocument", [], numbers)


async def invoice_query(filter: InvoiceFilter, keys: KeyReader) -> DocumentQuery | None:
    conditions: list[Filter] = []
    if filter.customer_native_id:
        conditions.append(eq("SoldToParty", filter.customer_native_id))
    if filter.date_from is not None:
        conditions.append(ge("BillingDocumentDate", filter.date_from))
    if filter.date_to is not None:
        conditions.append(le("BillingDocumentDate", filter.date_to))
    read = INVOICES
    if filter.changed_since is not None:
        conditions.append(ge("LastChangeDateTime", _aware(filter.changed_since)))
        read = replace(read, orderby=(*BY_CHANGE, "BillingDocument"))
    numbers = await _document_numbers(
        filter.native_ids,
        filter.orders(),
        lambda chunks: keys(BILLING_DOCUMENT, "A_BillingDocumentItem", chunks, "BillingDocument"),
        "SalesDocument",
    )
    if numbers is not None and not numbers:
        return None
    return DocumentQuery(read, "BillingDocument", conditions, numbers)


async def _document_numbers(
    native_ids: Sequence[str] | None,
    orders: Sequence[str] | None,
    numbers_of: Callable[[list[Filter]], Awaitable[list[str]]],
    reference: str,
) -> list[str] | None:
    """The document numbers a filter allows, in SAP's order; None: any.

    The numbers of the orders' documents come from their items (whose ``reference`` names
    the order), one read per :data:`KEY_CHUNK` orders, all in one ``$batch``, and only when
    ``native_ids`` leaves any to find.
    """
    numbers = None if native_ids is None else set(native_ids)
    if orders is not None and (numbers is None or numbers):
        chunks = [one_of(reference, chunk) for chunk in key_chunks(orders)]
        of_orders = set(await numbers_of(chunks)) if chunks else set()
        numbers = of_orders if numbers is None else numbers & of_orders
    return None if numbers is None else sorted(numbers, key=alpha_order)


def _order_status_filter(status: OrderStatus, billed: list[str]) -> Filter:
    """The ``$filter`` matching :func:`system_apis.sap.mapping.sales.order_status`.

    Orders billed from their deliveries keep ``OverallOrdReltdBillgStatus`` empty: a completely
    delivered order that a billing document references (``billed``) counts as invoiced.
    """
    delivery = "OverallTotalDeliveryStatus"
    billing = "OverallOrdReltdBillgStatus"
    rejected = eq("OverallSDDocumentRejectionSts", ALL_REJECTED)
    kept = ne("OverallSDDocumentRejectionSts", ALL_REJECTED)
    complete = status_code(DocumentStatus.COMPLETE)
    partial = status_code(DocumentStatus.PARTIAL)
    if status is OrderStatus.CANCELLED:
        return rejected
    if status is OrderStatus.INVOICED:
        if not billed:
            return all_of(eq(billing, complete), kept)
        by_documents = all_of(eq(delivery, complete), one_of("SalesOrder", billed))
        return all_of(any_of(eq(billing, complete), by_documents), kept)
    if status is OrderStatus.SHIPPED:
        unbilled = [ne("SalesOrder", number) for number in dict.fromkeys(billed)]
        return all_of(eq(delivery, complete), ne(billing, complete), *unbilled, kept)
    if status is OrderStatus.PARTIALLY_SHIPPED:
        return all_of(eq(delivery, partial), ne(billing, complete), kept)
    return all_of(ne(delivery, complete), ne(delivery, partial), ne(billing, complete), kept)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A change time as an instant (a naive one is taken as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
