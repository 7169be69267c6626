"""Sales orders: deep insert, header changes, and statuses derived from follow-on documents.

A new order is numbered from the ``SalesOrder`` number range (1, 2, ... continuing after the
seed), its items ``10``, ``20``, ... Each item is priced from the sandbox price list
(``NetAmount = price x quantity``, EUR) and gets the plant with the most stock unless the
request names one. Output tax is determined per item (``TaxAmount``, see
:mod:`erp_sandbox.sap.taxes`) from the customer's tax classification, copied to the header's
``CustomerTaxClassification1``, and the product's, copied to the item's
``ProductTaxClassification1``; the header has no tax total. The sold-to party must be an
unblocked business partner with a customer role, materials must exist and quantities be
positive; otherwise the request is refused with a 400 and nothing is stored.

Statuses are derived from the follow-on documents by :func:`refresh_order`, as SAP derives them:
an item's ``DeliveryStatus`` from the quantity in outbound deliveries (``C`` once the whole
quantity is in deliveries), the header's billing status from billed quantities, and the
processing statuses from both (``C`` once everything is delivered, goods-issued and billed).
An item with a reason for rejection (see :mod:`erp_sandbox.sap.rejection`) is complete as it
stands; ``OverallSDDocumentRejectionSts`` says whether none (``A``), some (``B``) or all (``C``)
of the items are rejected.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.errors import ErrorDetail
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.odata.payload import invalid_body, parse_entity
from erp_sandbox.sap import org, taxes
from erp_sandbox.sap.records import (
    blank,
    business_error,
    check_if_match,
    day,
    entity_type,
    item_number,
    load,
    money,
    overall,
    quantity,
    require,
    save,
    stamp,
    status,
)
from erp_sandbox.sap.schema_documents import SALES_ORDER
from erp_sandbox.sap.stock import best_location
from erp_sandbox.sap.store import Transaction

ORDERS = "A_SalesOrder"
ITEMS = "A_SalesOrderItem"
BY_ORDER = RowIndex.stored(["SalesOrder"])
BY_REFERENCE = RowIndex.stored(["ReferenceSDDocument"])
"""Delivery items by the order they deliver."""
BY_ORDER_ITEM = RowIndex.stored(["ReferenceSDDocument", "ReferenceSDDocumentItem"])
"""Delivery items by the order item they deliver."""
BY_SALES_DOCUMENT = RowIndex.stored(["SalesDocument"])
"""Billing document items by the order they bill."""
UPDATABLE = frozenset({"PurchaseOrderByCustomer", "RequestedDeliveryDate", "SalesOrderDate"})


def order_items(tx: Transaction, order: str) -> list[Row]:
    """The items of ``order`` in item order."""
    items = tx.find(ITEMS, BY_ORDER, [(order,)])
    return sorted(items, key=lambda row: int(row["SalesOrderItem"]))


def _check_sold_to(tx: Transaction, sold_to: str) -> None:
    partner = load(tx, "A_BusinessPartner", sold_to) if sold_to else None
    if partner is None or not partner["Customer"]:
        raise business_error(
            "V1/320",
            f"Sold-to party {sold_to or '(empty)'} does not exist or is not a customer",
            target="SoldToParty",
        )
    if partner["BusinessPartnerIsBlocked"]:
        raise business_error(
            "V1/321", f"Sold-to party {sold_to} is blocked for sales", target="SoldToParty"
        )


def _check_header(values: dict[str, Any]) -> None:
    sales_area = (
        values["SalesOrganization"],
        values["DistributionChannel"],
        values["OrganizationDivision"],
    )
    if (
        sales_area[0] not in org.SALES_ORGANIZATIONS
        or sales_area[1] != org.DEFAULT_DISTRIBUTION_CHANNEL
        or sales_area[2] != org.DEFAULT_DIVISION
    ):
        raise business_error("V1/305", "Sales area {}/{}/{} is not defined".format(*sales_area))
    if values["SalesOrderType"] not in org.ORDER_TYPES:
        raise business_error(
            "V1/302", f"Sales document type {values['SalesOrderType']} is not defined"
        )
    if values["TransactionCurrency"] != org.CURRENCY:
        raise business_error(
            "V1/801", f"Currency {values['TransactionCurrency']} is not used by the price list"
        )


def _build_item(
    tx: Transaction, position: int, entry: dict[str, Any], errors: list[ErrorDetail]
) -> Row | None:
    values = parse_entity(entity_type(ITEMS), entry).values
    number = item_number(position)
    material = values.get("Material") or ""
    product = load(tx, "A_Product", material) if material else None
    if product is None or product["IsMarkedForDeletion"]:
        errors.append(
            ErrorDetail("M3/305", f"Material {material or '(empty)'} does not exist", "Material")
        )
        return None
    requested = values.get("RequestedQuantity")
    if requested is None or requested <= 0:
        errors.append(
            ErrorDetail("V1/201", f"Enter a quantity greater than zero for item {number}")
        )
        return None
    unit = values.get("RequestedQuantityUnit") or product["BaseUnit"]
    if unit != product["BaseUnit"]:
        errors.append(
            ErrorDetail(
                "V1/506",
                f"Unit {unit} is not defined for material {material} "
                f"(base unit {product['BaseUnit']})",
                "RequestedQuantityUnit",
            )
        )
        return None
    plant = values.get("ProductionPlant") or ""
    if plant and plant not in org.PLANTS:
        errors.append(ErrorDetail("ME/040", f"Plant {plant} does not exist", "ProductionPlant"))
        return None
    plant = plant or best_location(tx, material)[0]
    location = values.get("StorageLocation") or ""
    if location and location != org.PLANTS[plant].storage_location:
        errors.append(
            ErrorDetail(
                "M7/001",
                f"Storage location {location} is not defined for plant {plant}",
                "StorageLocation",
            )
        )
        return None
    price_row = load(tx, org.PRICE_LIST, material)
    if price_row is None:
        errors.append(ErrorDetail("V1/803", f"No price found for material {material}"))
        return None
    description = load(tx, "A_ProductDescription", material, "EN")
    item = blank(ITEMS)
    item.update(
        SalesOrderItem=number,
        Material=material,
        SalesOrderItemText=values.get("SalesOrderItemText")
        or (description["ProductDescription"] if description else ""),
        RequestedQuantity=quantity(requested),
        RequestedQuantityUnit=unit,
        NetAmount=money(price_row["Price"] * requested),
        TransactionCurrency=org.CURRENCY,
        ProductionPlant=plant,
        StorageLocation=location,
        SDProcessStatus="A",
        DeliveryStatus="A",
    )
    return item


def create_sales_order(tx: Transaction, document: dict[str, Any], now: datetime) -> Row:
    """Create a sales order with its items from a deep-insert body; the new header row."""
    payload = parse_entity(SALES_ORDER, document)
    header = blank(ORDERS)
    header.update(
        SalesOrderType=org.DEFAULT_ORDER_TYPE,
        SalesOrganization=org.DEFAULT_SALES_ORGANIZATION,
        DistributionChannel=org.DEFAULT_DISTRIBUTION_CHANNEL,
        OrganizationDivision=org.DEFAULT_DIVISION,
        TransactionCurrency=org.CURRENCY,
    )
    for name in ("SalesOrderType", "SalesOrganization", "DistributionChannel"):
        header[name] = payload.values.get(name) or header[name]
    for name in ("OrganizationDivision", "TransactionCurrency", "PurchaseOrderByCustomer"):
        header[name] = payload.values.get(name) or header[name]
    header["SoldToParty"] = payload.values.get("SoldToParty") or ""
    _check_header(header)
    _check_sold_to(tx, header["SoldToParty"])
    entries = payload.navigations.get("to_Item", [])
    if not entries:
        raise business_error("V1/555", "The sales document contains no items", target="to_Item")
    errors: list[ErrorDetail] = []
    items = [_build_item(tx, index, entry, errors) for index, entry in enumerate(entries, 1)]
    if errors:
        raise business_error(errors[0].code, errors[0].message, details=tuple(errors))
    header["TaxDepartureCountry"] = taxes.departure_country(header["SalesOrganization"])
    header["CustomerTaxClassification1"] = taxes.customer_tax_class(
        tx, header["SoldToParty"], header
    )
    for item in items:
        if item is not None:
            item["ProductTaxClassification1"] = taxes.product_tax_class(
                tx, item["Material"], header["TaxDepartureCountry"]
            )
            item["TaxAmount"] = taxes.tax_amount(item["NetAmount"], header, item)
    number = str(tx.next_number("SalesOrder", org.FIRST_SALES_ORDER))
    today = day(now)
    header.update(
        SalesOrder=number,
        SalesOrderDate=payload.values.get("SalesOrderDate") or today,
        CreationDate=today,
        RequestedDeliveryDate=payload.values.get("RequestedDeliveryDate") or today,
        LastChangeDateTime=now,
        TotalNetAmount=money(sum((item["NetAmount"] for item in items if item), Decimal(0))),
        OverallSDProcessStatus="A",
        OverallTotalDeliveryStatus="A",
        OverallOrdReltdBillgStatus="",
        OverallSDDocumentRejectionSts="A",
    )
    save(tx, ORDERS, header)
    for item in items:
        if item is not None:
            item["SalesOrder"] = number
            save(tx, ITEMS, item)
    return header


def update_sales_order(
    tx: Transaction, order: str, document: dict[str, Any], if_match: str | None, now: datetime
) -> Row:
    """Change header fields of ``order`` (PATCH, MERGE or PUT) under optimistic locking."""
    header = require(tx, ORDERS, order)
    etag = SALES_ORDER.etag
    assert etag is not None
    check_if_match(etag(header), if_match)
    payload = parse_entity(SALES_ORDER, document)
    if payload.navigations:
        raise invalid_body("Items cannot be changed through the sales order header", "to_Item")
    changed = False
    for name, value in payload.values.items():
        if name in UPDATABLE:
            changed = changed or header.get(name) != value
            header[name] = value
        elif header.get(name) != value:
            raise business_error("V1/049", f"Property '{name}' cannot be changed", target=name)
    if changed:
        header["LastChangeDateTime"] = stamp(header["LastChangeDateTime"], now)
        save(tx, ORDERS, header)
    return header


def delivered_quantity(tx: Transaction, order: str, item: str) -> Decimal:
    """The quantity of an order item in its deliveries."""
    rows = tx.find("A_OutbDeliveryItem", BY_ORDER_ITEM, [(order, item)])
    return sum((row["ActualDeliveryQuantity"] for row in rows), Decimal(0))


def refresh_order(tx: Transaction, order: str, now: datetime) -> None:
    """Recompute the statuses of ``order`` from its deliveries and billing documents."""
    header = require(tx, ORDERS, order)
    delivered = tx.find("A_OutbDeliveryItem", BY_REFERENCE, [(order,)])
    posted = {
        number
        for number in {row["DeliveryDocument"] for row in delivered}
        if (tx.get("A_OutbDeliveryHeader", (number,)) or {}).get("OverallGoodsMovementStatus")
        == "C"
    }
    in_delivery: dict[str, Decimal] = {}
    issued: dict[str, Decimal] = {}
    for row in delivered:
        item = row["ReferenceSDDocumentItem"]
        amount = row["ActualDeliveryQuantity"]
        in_delivery[item] = in_delivery.get(item, Decimal(0)) + amount
        if row["DeliveryDocument"] in posted:
            issued[item] = issued.get(item, Decimal(0)) + amount
    billing_items = tx.find("A_BillingDocumentItem", BY_SALES_DOCUMENT, [(order,)])
    cancelled = {
        number
        for number in {row["BillingDocument"] for row in billing_items}
        if (tx.get("A_BillingDocument", (number,)) or {}).get("BillingDocumentIsCancelled")
    }
    billed: dict[str, Decimal] = {}
    for row in billing_items:
        if row["BillingDocument"] not in cancelled:
            item = row["SalesDocumentItem"]
            billed[item] = billed.get(item, Decimal(0)) + row["BillingQuantity"]
    changed = False
    items = order_items(tx, order)
    for item in items:
        number, requested = item["SalesOrderItem"], item["RequestedQuantity"]
        delivery = status(in_delivery.get(number, Decimal(0)), requested)
        goods_issue = status(issued.get(number, Decimal(0)), requested)
        billing = status(billed.get(number, Decimal(0)), requested)
        done = delivery == goods_issue == billing == "C"
        process = "C" if done else ("A" if delivery == billing == "A" else "B")
        if item.get("SalesDocumentRjcnReason"):
            process = "C"
        if (item["DeliveryStatus"], item["SDProcessStatus"]) != (delivery, process):
            item.update(DeliveryStatus=delivery, SDProcessStatus=process)
            save(tx, ITEMS, item)
            changed = True
    statuses = {
        "OverallTotalDeliveryStatus": overall([item["DeliveryStatus"] for item in items]),
        "OverallSDProcessStatus": overall([item["SDProcessStatus"] for item in items]),
        "OverallSDDocumentRejectionSts": overall(
            ["C" if item.get("SalesDocumentRjcnReason") else "A" for item in items]
        ),
    }
    if changed or any(header.get(name) != value for name, value in statuses.items()):
        header.update(statuses)
        header["LastChangeDateTime"] = stamp(header["LastChangeDateTime"], now)
        save(tx, ORDERS, header)
