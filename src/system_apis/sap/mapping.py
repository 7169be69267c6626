"""Pure translations between SAP OData v2 entities and the canonical model.

Functions take the JSON objects SAP answers (``__metadata``, ``/Date(ms)/`` strings, decimals as
strings, expanded navigations as ``{"results": [...]}``) and return canonical records, or take
canonical commands and return SAP request bodies. SAP property names never leave this package.
They raise ``KeyError``/``ValueError`` on payloads that do not have the documented shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.models import (
    Address,
    Customer,
    Delivery,
    DeliveryLine,
    DocumentStatus,
    InventoryLevel,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Money,
    OrderStatus,
    Product,
    Quantity,
    SalesOrder,
    SalesOrderLine,
    Source,
    canonical_id,
)
from system_apis.sap.odata import format_decimal, parse_date, parse_datetime, parse_decimal

JsonObject = Mapping[str, Any]

UNRESTRICTED_STOCK = "01"
"""``InventoryStockType`` of unrestricted-use stock."""


def _with_navigation(
    header: tuple[str, ...], navigation: str, item: tuple[str, ...]
) -> tuple[str, ...]:
    return header + tuple(f"{navigation}/{name}" for name in item)


# ``$select`` lists: exactly the properties the functions below read (real SAP entities carry
# dozens more). ETag source properties are included so SAP can compute the ETag.
ADDRESS_SELECT = (
    "BusinessPartner",
    "AddressID",
    "StreetName",
    "HouseNumber",
    "PostalCode",
    "CityName",
    "Region",
    "Country",
)
CUSTOMER_SELECT = _with_navigation(
    (
        "BusinessPartner",
        "Customer",
        "BusinessPartnerCategory",
        "BusinessPartnerFullName",
        "BusinessPartnerIsBlocked",
        "CreationDate",
        "LastChangeDate",
    ),
    "to_BusinessPartnerAddress",
    ADDRESS_SELECT,
)
PRODUCT_SELECT = _with_navigation(
    (
        "Product",
        "ProductType",
        "ProductGroup",
        "BaseUnit",
        "GrossWeight",
        "WeightUnit",
        "IsMarkedForDeletion",
    ),
    "to_Description",
    ("Product", "Language", "ProductDescription"),
)
STOCK_SELECT = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "InventoryStockType",
    "MaterialBaseUnit",
    "MatlWrhsStkQtyInMatlBaseUnit",
)
SALES_ORDER_SELECT = _with_navigation(
    (
        "SalesOrder",
        "SoldToParty",
        "PurchaseOrderByCustomer",
        "SalesOrderDate",
        "CreationDate",
        "LastChangeDateTime",
        "TotalNetAmount",
        "TransactionCurrency",
        "OverallTotalDeliveryStatus",
        "OverallOrdReltdBillgStatus",
    ),
    "to_Item",
    (
        "SalesOrder",
        "SalesOrderItem",
        "Material",
        "SalesOrderItemText",
        "RequestedQuantity",
        "RequestedQuantityUnit",
        "NetAmount",
        "TransactionCurrency",
        "ProductionPlant",
        "StorageLocation",
        "DeliveryStatus",
    ),
)
DELIVERY_SELECT = _with_navigation(
    (
        "DeliveryDocument",
        "SoldToParty",
        "ShipToParty",
        "CreationDate",
        "ActualGoodsMovementDate",
        "OverallGoodsMovementStatus",
        "LastChangeDate",
    ),
    "to_DeliveryDocumentItem",
    (
        "DeliveryDocument",
        "DeliveryDocumentItem",
        "Material",
        "ActualDeliveryQuantity",
        "DeliveryQuantityUnit",
        "Plant",
        "StorageLocation",
        "ReferenceSDDocument",
        "ReferenceSDDocumentItem",
    ),
)
BILLING_DOCUMENT_SELECT = _with_navigation(
    (
        "BillingDocument",
        "BillingDocumentDate",
        "CreationDate",
        "SoldToParty",
        "TotalNetAmount",
        "TaxAmount",
        "TotalGrossAmount",
        "TransactionCurrency",
        "AccountingPostingStatus",
        "BillingDocumentIsCancelled",
    ),
    "to_Item",
    (
        "BillingDocument",
        "BillingDocumentItem",
        "Material",
        "BillingQuantity",
        "BillingQuantityUnit",
        "NetAmount",
        "TaxAmount",
        "TransactionCurrency",
        "ReferenceSDDocument",
        "SalesDocument",
    ),
)

_DOCUMENT_STATUS = {
    "": DocumentStatus.NOT_RELEVANT,
    "A": DocumentStatus.OPEN,
    "B": DocumentStatus.PARTIAL,
    "C": DocumentStatus.COMPLETE,
}
_STATUS_CODE = {status: code for code, status in _DOCUMENT_STATUS.items()}


@dataclass(frozen=True)
class SapDefaults:
    """Organisational data SAP needs on a new sales order, and fallbacks for reading.

    ``currency`` is used when SAP leaves a document's currency empty; ``language`` picks the
    product description.
    """

    sales_organization: str = "1010"
    distribution_channel: str = "10"
    division: str = "00"
    order_type: str = "OR"
    currency: str = "EUR"
    language: str = "EN"


# -- small readers ---------------------------------------------------------------------------


def _text(entity: JsonObject, name: str) -> str:
    """A required string property; a missing one is an error of the payload."""
    value = entity[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string: {value!r}")
    return value


def _optional_text(entity: JsonObject, name: str) -> str | None:
    value = entity.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string: {value!r}")
    return value.strip() or None


def _decimal(entity: JsonObject, name: str) -> Decimal:
    return parse_decimal(entity[name])


def _optional_decimal(entity: JsonObject, name: str) -> Decimal | None:
    value = entity.get(name)
    return None if value is None or value == "" else parse_decimal(value)


def _date_as_datetime(entity: JsonObject, name: str) -> dt.datetime | None:
    """An ``Edm.DateTime`` holding a date, as an aware timestamp (midnight UTC)."""
    return parse_datetime(entity.get(name))


def expanded(entity: JsonObject, navigation: str) -> list[JsonObject] | None:
    """The entities of an expanded to-many navigation; None when it was not expanded."""
    value = entity.get(navigation)
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        results = value.get("results")
        if isinstance(results, list):
            return results
    return None


def document_status(code: str | None) -> DocumentStatus:
    """SAP's processing status codes: ``''`` not relevant, ``A`` open, ``B`` partial, ``C`` done."""
    try:
        return _DOCUMENT_STATUS[(code or "").strip()]
    except KeyError:
        raise ValueError(f"unknown SAP status code {code!r}") from None


def status_code(status: DocumentStatus) -> str:
    """Inverse of :func:`document_status`."""
    return _STATUS_CODE[status]


def location_of(plant: str | None, storage_location: str | None) -> str | None:
    """``"<Plant>/<StorageLocation>"``, or the plant alone, or None."""
    if not plant:
        return None
    return f"{plant}/{storage_location}" if storage_location else plant


def split_location(location: str) -> tuple[str, str | None]:
    """Inverse of :func:`location_of`; raises ValueError for another shape."""
    plant, sep, storage_location = location.partition("/")
    if not plant or (sep and not storage_location) or "/" in storage_location:
        raise ValueError(f"a location is '<plant>' or '<plant>/<storage location>': {location!r}")
    return plant, storage_location or None


def _line_sort_key(number: str) -> tuple[int, str]:
    return (int(number), number) if number.isdigit() else (1 << 62, number)


def _money(amount: Decimal, currency: str | None, defaults: SapDefaults) -> Money:
    return Money(amount=amount, currency=currency or defaults.currency)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# -- customers and products ------------------------------------------------------------------


def _country(value: str | None) -> str | None:
    if value and len(value) == 2 and value.isalpha():
        return value.upper()
    return None


def address_from_sap(entity: JsonObject) -> Address:
    """``A_BusinessPartnerAddress`` → Address (street and house number joined)."""
    street = " ".join(
        part
        for part in (_optional_text(entity, "StreetName"), _optional_text(entity, "HouseNumber"))
        if part
    )
    return Address(
        street=street or None,
        postal_code=_optional_text(entity, "PostalCode"),
        city=_optional_text(entity, "CityName"),
        region=_optional_text(entity, "Region"),
        country=_country(_optional_text(entity, "Country")),
    )


def customer_from_sap(entity: JsonObject, source: Source) -> Customer:
    """``A_BusinessPartner`` (+ ``to_BusinessPartnerAddress``) → Customer.

    The native id is the customer number (``Customer``), the number sales documents carry as
    ``SoldToParty``; the first address by ``AddressID`` becomes the customer's address.
    """
    native_id = _optional_text(entity, "Customer") or _text(entity, "BusinessPartner")
    addresses = sorted(
        expanded(entity, "to_BusinessPartnerAddress") or [],
        key=lambda a: _line_sort_key(str(a.get("AddressID") or "")),
    )
    return Customer(
        id=canonical_id(source.connection, native_id),
        native_id=native_id,
        source=source,
        name=_optional_text(entity, "BusinessPartnerFullName") or native_id,
        is_organization=_optional_text(entity, "BusinessPartnerCategory") == "2",
        blocked=bool(entity.get("BusinessPartnerIsBlocked")),
        address=address_from_sap(addresses[0]) if addresses else None,
        created_at=_date_as_datetime(entity, "CreationDate"),
        changed_at=_date_as_datetime(entity, "LastChangeDate"),
    )


def product_from_sap(entity: JsonObject, source: Source, defaults: SapDefaults) -> Product:
    """``A_Product`` (+ ``to_Description``) → Product, named in ``defaults.language``."""
    sku = _text(entity, "Product")
    descriptions = {
        (_optional_text(d, "Language") or "").upper(): _optional_text(d, "ProductDescription")
        for d in expanded(entity, "to_Description") or []
    }
    name = descriptions.get(defaults.language.upper()) or next(
        (text for text in descriptions.values() if text), sku
    )
    weight = _optional_decimal(entity, "GrossWeight")
    weight_unit = _optional_text(entity, "WeightUnit")
    return Product(
        id=canonical_id(source.connection, sku),
        native_id=sku,
        source=source,
        sku=sku,
        name=name,
        base_unit=_text(entity, "BaseUnit"),
        product_type=_optional_text(entity, "ProductType"),
        product_group=_optional_text(entity, "ProductGroup"),
        gross_weight=(
            Quantity(value=weight, unit=weight_unit) if weight is not None and weight_unit else None
        ),
        deleted=bool(entity.get("IsMarkedForDeletion")),
    )


# -- inventory -------------------------------------------------------------------------------


def inventory_from_sap(rows: Iterable[JsonObject], source: Source) -> list[InventoryLevel]:
    """``A_MatlStkInAcctMod`` rows → one level per material, plant and storage location.

    Only unrestricted-use rows (stock type ``01``) count; batches and special stocks of the
    same place are summed. Levels keep the order in which their first row came.
    """
    totals: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for row in rows:
        if _optional_text(row, "InventoryStockType") != UNRESTRICTED_STOCK:
            continue
        key = (
            _text(row, "Material"),
            _text(row, "Plant"),
            _optional_text(row, "StorageLocation") or "",
        )
        quantity = _decimal(row, "MatlWrhsStkQtyInMatlBaseUnit")
        unit = _text(row, "MaterialBaseUnit")
        previous = totals.get(key)
        if previous is not None:
            if previous[1] != unit:
                raise ValueError(f"stock of {key} comes in two units: {previous[1]}, {unit}")
            quantity += previous[0]
        totals[key] = (quantity, unit)
    levels = []
    for (material, plant, storage_location), (quantity, unit) in totals.items():
        location = location_of(plant, storage_location) or plant
        native_id = f"{material}@{location}"
        levels.append(
            InventoryLevel(
                id=canonical_id(source.connection, native_id),
                native_id=native_id,
                source=source,
                sku=material,
                location=location,
                quantity=Quantity(value=quantity, unit=unit),
            )
        )
    return levels


# -- sales orders ----------------------------------------------------------------------------


def order_status(delivery: DocumentStatus, billing: DocumentStatus) -> OrderStatus:
    """Billed completely → invoiced; delivered completely → shipped; partly → partially."""
    if billing is DocumentStatus.COMPLETE:
        return OrderStatus.INVOICED
    if delivery is DocumentStatus.COMPLETE:
        return OrderStatus.SHIPPED
    if delivery is DocumentStatus.PARTIAL:
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.ORDERED


def sales_order_line_from_sap(
    item: JsonObject, header_currency: str | None, defaults: SapDefaults
) -> SalesOrderLine:
    """``A_SalesOrderItem`` → SalesOrderLine."""
    net = _optional_decimal(item, "NetAmount")
    currency = _optional_text(item, "TransactionCurrency") or header_currency
    return SalesOrderLine(
        line_number=_text(item, "SalesOrderItem"),
        sku=_text(item, "Material"),
        description=_optional_text(item, "SalesOrderItemText"),
        quantity=Quantity(
            value=_decimal(item, "RequestedQuantity"),
            unit=_text(item, "RequestedQuantityUnit"),
        ),
        net_amount=_money(net, currency, defaults) if net is not None else None,
        location=location_of(
            _optional_text(item, "ProductionPlant"), _optional_text(item, "StorageLocation")
        ),
    )


def sales_order_from_sap(entity: JsonObject, source: Source, defaults: SapDefaults) -> SalesOrder:
    """``A_SalesOrder`` (+ ``to_Item``) → SalesOrder; lines are empty when not expanded."""
    number = _text(entity, "SalesOrder")
    currency = _optional_text(entity, "TransactionCurrency")
    delivery = document_status(_optional_text(entity, "OverallTotalDeliveryStatus"))
    billing = document_status(_optional_text(entity, "OverallOrdReltdBillgStatus"))
    order_date = parse_date(entity.get("SalesOrderDate")) or parse_date(entity.get("CreationDate"))
    if order_date is None:
        raise ValueError(f"sales order {number} has no date")
    items = sorted(
        expanded(entity, "to_Item") or [],
        key=lambda i: _line_sort_key(str(i.get("SalesOrderItem") or "")),
    )
    return SalesOrder(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, _text(entity, "SoldToParty")),
        external_reference=_optional_text(entity, "PurchaseOrderByCustomer"),
        order_date=order_date,
        created_at=_date_as_datetime(entity, "CreationDate"),
        changed_at=parse_datetime(entity.get("LastChangeDateTime")),
        net_amount=_money(_decimal(entity, "TotalNetAmount"), currency, defaults),
        status=order_status(delivery, billing),
        delivery_status=delivery,
        billing_status=billing,
        lines=tuple(sales_order_line_from_sap(i, currency, defaults) for i in items),
    )


def sales_order_body(draft: SalesOrderDraft, defaults: SapDefaults) -> dict[str, Any]:
    """SalesOrderDraft → the body of a deep insert ``POST A_SalesOrder``.

    SAP numbers the order and its items and prices them; a line's location
    ``"<plant>/<storage location>"`` becomes its ``ProductionPlant``/``StorageLocation``.
    """
    items: list[dict[str, Any]] = []
    for line in draft.lines:
        item: dict[str, Any] = {
            "Material": line.sku,
            "RequestedQuantity": format_decimal(line.quantity),
        }
        if line.unit:
            item["RequestedQuantityUnit"] = line.unit
        if line.location:
            plant, storage_location = split_location(line.location)
            item["ProductionPlant"] = plant
            if storage_location:
                item["StorageLocation"] = storage_location
        items.append(item)
    body: dict[str, Any] = {
        "SalesOrderType": defaults.order_type,
        "SalesOrganization": defaults.sales_organization,
        "DistributionChannel": defaults.distribution_channel,
        "OrganizationDivision": defaults.division,
        "SoldToParty": draft.customer_native_id,
    }
    if draft.external_reference:
        body["PurchaseOrderByCustomer"] = draft.external_reference
    body["to_Item"] = {"results": items}
    return body


def open_order_items(entity: JsonObject) -> list[str]:
    """Item numbers of an expanded ``A_SalesOrder`` still to deliver (status ``A`` or ``B``).

    An item whose payload lacks ``DeliveryStatus`` counts as open and lets SAP decide;
    ``''`` (not relevant for delivery) and ``C`` (delivered) do not.
    """
    items = expanded(entity, "to_Item")
    if items is None:
        raise ValueError("the sales order items were not expanded")
    open_items = [
        _text(item, "SalesOrderItem")
        for item in items
        if item.get("DeliveryStatus", "A") in ("A", "B")
    ]
    return sorted(open_items, key=_line_sort_key)


def delivery_body(order_native_id: str, items: Iterable[str]) -> dict[str, Any]:
    """The body of ``POST A_OutbDeliveryHeader`` referencing the given order items."""
    return {
        "to_DeliveryDocumentItem": {
            "results": [
                {"ReferenceSDDocument": order_native_id, "ReferenceSDDocumentItem": item}
                for item in items
            ]
        }
    }


# -- deliveries and invoices -----------------------------------------------------------------


def delivery_from_sap(
    entity: JsonObject, source: Source, items: list[JsonObject] | None = None
) -> Delivery:
    """``A_OutbDeliveryHeader`` (+ ``to_DeliveryDocumentItem``, or ``items``) → Delivery."""
    number = _text(entity, "DeliveryDocument")
    rows = items if items is not None else expanded(entity, "to_DeliveryDocumentItem") or []
    rows = sorted(rows, key=lambda i: _line_sort_key(str(i.get("DeliveryDocumentItem") or "")))
    lines = []
    for item in rows:
        order = _optional_text(item, "ReferenceSDDocument")
        lines.append(
            DeliveryLine(
                line_number=_text(item, "DeliveryDocumentItem"),
                sku=_text(item, "Material"),
                quantity=Quantity(
                    value=_decimal(item, "ActualDeliveryQuantity"),
                    unit=_text(item, "DeliveryQuantityUnit"),
                ),
                location=location_of(
                    _optional_text(item, "Plant"), _optional_text(item, "StorageLocation")
                ),
                order_id=canonical_id(source.connection, order) if order else None,
                order_line=_optional_text(item, "ReferenceSDDocumentItem"),
            )
        )
    customer = _optional_text(entity, "SoldToParty") or _text(entity, "ShipToParty")
    orders = _unique(_optional_text(item, "ReferenceSDDocument") or "" for item in rows)
    return Delivery(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, customer),
        order_ids=tuple(canonical_id(source.connection, o) for o in orders),
        created_at=_date_as_datetime(entity, "CreationDate"),
        goods_issued=_optional_text(entity, "OverallGoodsMovementStatus") == "C",
        goods_issue_date=parse_date(entity.get("ActualGoodsMovementDate")),
        lines=tuple(lines),
    )


def invoice_status(entity: JsonObject) -> InvoiceStatus:
    """Cancelled wins; posted to accounting (``C``) → posted; otherwise a draft."""
    if entity.get("BillingDocumentIsCancelled"):
        return InvoiceStatus.CANCELLED
    if _optional_text(entity, "AccountingPostingStatus") == "C":
        return InvoiceStatus.POSTED
    return InvoiceStatus.DRAFT


def invoice_from_sap(entity: JsonObject, source: Source, defaults: SapDefaults) -> Invoice:
    """``A_BillingDocument`` (+ ``to_Item``) → Invoice.

    A line's ``delivery_id`` is its reference document when that differs from its sales order
    (delivery-related billing); order-related billing references the order itself.
    """
    number = _text(entity, "BillingDocument")
    currency = _optional_text(entity, "TransactionCurrency")
    items = sorted(
        expanded(entity, "to_Item") or [],
        key=lambda i: _line_sort_key(str(i.get("BillingDocumentItem") or "")),
    )
    lines = []
    for item in items:
        order = _optional_text(item, "SalesDocument")
        reference = _optional_text(item, "ReferenceSDDocument")
        item_currency = _optional_text(item, "TransactionCurrency") or currency
        tax = _optional_decimal(item, "TaxAmount")
        lines.append(
            InvoiceLine(
                line_number=_text(item, "BillingDocumentItem"),
                sku=_text(item, "Material"),
                quantity=Quantity(
                    value=_decimal(item, "BillingQuantity"),
                    unit=_text(item, "BillingQuantityUnit"),
                ),
                net_amount=_money(_decimal(item, "NetAmount"), item_currency, defaults),
                tax_amount=_money(tax, item_currency, defaults) if tax is not None else None,
                order_id=canonical_id(source.connection, order) if order else None,
                delivery_id=(
                    canonical_id(source.connection, reference)
                    if reference and reference != order
                    else None
                ),
            )
        )
    invoice_date = parse_date(entity.get("BillingDocumentDate")) or parse_date(
        entity.get("CreationDate")
    )
    if invoice_date is None:
        raise ValueError(f"billing document {number} has no date")
    net = _decimal(entity, "TotalNetAmount")
    tax_total = _optional_decimal(entity, "TaxAmount") or Decimal(0)
    gross = _optional_decimal(entity, "TotalGrossAmount")
    orders = _unique(_optional_text(item, "SalesDocument") or "" for item in items)
    return Invoice(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, _text(entity, "SoldToParty")),
        order_ids=tuple(canonical_id(source.connection, o) for o in orders),
        invoice_date=invoice_date,
        net_amount=_money(net, currency, defaults),
        tax_amount=_money(tax_total, currency, defaults),
        gross_amount=_money(gross if gross is not None else net + tax_total, currency, defaults),
        status=invoice_status(entity),
        lines=tuple(lines),
    )
