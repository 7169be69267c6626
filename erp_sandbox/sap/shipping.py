"""Outbound deliveries: creation with reference to sales order items, and goods issue.

A delivery takes the open quantity of each referenced order item (requested minus what other
deliveries already hold), or less when the request says ``ActualDeliveryQuantity``. Its items
ship from the order item's plant and storage location, or from where the most stock is.
Deliveries are numbered from 80000000.

Goods issue (``PostGoodsIssue``) needs the delivery's ETag in ``If-Match``. It takes the
delivered quantities out of unrestricted-use stock with a material document (movement type
601, see :mod:`erp_sandbox.sap.goods_movements`); when any storage location lacks stock it
refuses with ``M7/021`` and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.errors import ErrorDetail
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.odata.payload import parse_entity
from erp_sandbox.sap import org
from erp_sandbox.sap.goods_movements import record_delivery_issue
from erp_sandbox.sap.orders import delivered_quantity, refresh_order
from erp_sandbox.sap.records import (
    blank,
    business_error,
    check_if_match,
    day,
    entity_type,
    item_number,
    load,
    quantity,
    require,
    save,
)
from erp_sandbox.sap.schema_documents import DELIVERY
from erp_sandbox.sap.stock import available, best_location
from erp_sandbox.sap.store import Transaction

DELIVERIES = "A_OutbDeliveryHeader"
DELIVERY_ITEMS = "A_OutbDeliveryItem"

BY_DELIVERY = RowIndex.stored(["DeliveryDocument"])


def delivery_items(tx: Transaction, delivery: str) -> list[Row]:
    """The items of ``delivery`` in item order."""
    items = tx.find(DELIVERY_ITEMS, BY_DELIVERY, [(delivery,)])
    return sorted(items, key=lambda row: int(row["DeliveryDocumentItem"]))


def delivery_etag(row: Row) -> str:
    """The current ETag of a delivery."""
    etag = DELIVERY.etag
    assert etag is not None
    return etag(row)


def touch_delivery(header: Row, now: datetime) -> None:
    """A change of ``header``: its change date and a new ``DeliveryVersion`` (the ETag)."""
    header["LastChangeDate"] = day(now)
    header["DeliveryVersion"] = f"{int(header['DeliveryVersion'] or 0) + 1:04d}"


def pick_all_items(tx: Transaction, delivery: str, if_match: str | None, now: datetime) -> Row:
    """``PickAllItems``: every item picked in full; picking status ``C``."""
    header = require(tx, DELIVERIES, delivery)
    check_if_match(delivery_etag(header), if_match)
    if header["OverallGoodsMovementStatus"] == "C":
        raise business_error("VL/602", f"Goods issue for delivery {delivery} is already posted")
    if header["OverallPickingStatus"] != "C":
        header["OverallPickingStatus"] = "C"
        touch_delivery(header, now)
        save(tx, DELIVERIES, header)
    return header


def _delivery_item(tx: Transaction, entry: dict[str, Any], seen: set[tuple[str, str]]) -> Row:
    values = parse_entity(entity_type(DELIVERY_ITEMS), entry).values
    order = values.get("ReferenceSDDocument") or ""
    number = values.get("ReferenceSDDocumentItem") or ""
    order_item = load(tx, "A_SalesOrderItem", order, number) if order and number else None
    if order_item is None:
        raise business_error(
            "VL/302",
            f"Item {number or '(empty)'} of sales order {order or '(empty)'} does not exist",
            target="ReferenceSDDocument",
        )
    if order_item.get("SalesDocumentRjcnReason"):
        raise business_error(
            "VL/463",
            f"Item {number} of sales order {order} is rejected and not relevant for delivery",
            target="ReferenceSDDocumentItem",
        )
    if (order, number) in seen:
        raise business_error("VL/303", f"Item {number} of sales order {order} is referenced twice")
    seen.add((order, number))
    open_quantity = order_item["RequestedQuantity"] - delivered_quantity(tx, order, number)
    if open_quantity <= 0:
        raise business_error(
            "VL/461", f"Item {number} of sales order {order} has no open quantity to deliver"
        )
    wanted = values.get("ActualDeliveryQuantity") or open_quantity
    if wanted <= 0 or wanted > open_quantity:
        raise business_error(
            "VL/462",
            f"Delivery quantity {wanted} of item {number} of sales order {order} "
            f"exceeds the open quantity {quantity(open_quantity)}",
            target="ActualDeliveryQuantity",
        )
    plant = values.get("Plant") or order_item["ProductionPlant"]
    location = values.get("StorageLocation") or order_item["StorageLocation"]
    if not plant or not location:
        plant, location = best_location(tx, order_item["Material"], plant or None)
    item = blank(DELIVERY_ITEMS)
    item.update(
        Material=order_item["Material"],
        ActualDeliveryQuantity=quantity(wanted),
        DeliveryQuantityUnit=order_item["RequestedQuantityUnit"],
        Plant=plant,
        StorageLocation=location,
        ReferenceSDDocument=order,
        ReferenceSDDocumentItem=number,
    )
    return item


def create_delivery(tx: Transaction, document: dict[str, Any], now: datetime) -> Row:
    """Create an outbound delivery for sales order items; the new header row."""
    payload = parse_entity(DELIVERY, document)
    entries = payload.navigations.get("to_DeliveryDocumentItem", [])
    if not entries:
        raise business_error(
            "VL/311", "No sales order items referenced", target="to_DeliveryDocumentItem"
        )
    seen: set[tuple[str, str]] = set()
    items = [_delivery_item(tx, entry, seen) for entry in entries]
    orders = sorted({item["ReferenceSDDocument"] for item in items}, key=int)
    sold_to = {require(tx, "A_SalesOrder", order)["SoldToParty"] for order in orders}
    if len(sold_to) > 1:
        raise business_error("VL/101", "The referenced sales orders have different sold-to parties")
    number = str(tx.next_number("Delivery", org.FIRST_DELIVERY))
    plant = org.PLANTS.get(items[0]["Plant"])
    today = day(now)
    header = blank(DELIVERIES)
    header.update(
        DeliveryDocument=number,
        DeliveryDocumentType="LF",
        ShippingPoint=payload.values.get("ShippingPoint")
        or (plant.shipping_point if plant else items[0]["Plant"]),
        SoldToParty=sold_to.pop(),
        DeliveryDate=payload.values.get("DeliveryDate") or today,
        CreationDate=today,
        ActualGoodsMovementDate=None,
        DeliveryVersion="0001",
        OverallPickingStatus="A",
        OverallGoodsMovementStatus="A",
        OverallSDProcessStatus="A",
        LastChangeDate=today,
    )
    header["ShipToParty"] = header["SoldToParty"]
    save(tx, DELIVERIES, header)
    for position, item in enumerate(items, 1):
        item.update(DeliveryDocument=number, DeliveryDocumentItem=item_number(position))
        save(tx, DELIVERY_ITEMS, item)
    for order in orders:
        refresh_order(tx, order, now)
    return header


def post_goods_issue(tx: Transaction, delivery: str, if_match: str | None, now: datetime) -> Row:
    """Post the goods issue of ``delivery``; the changed header row."""
    header = require(tx, DELIVERIES, delivery)
    check_if_match(delivery_etag(header), if_match)
    if header["OverallGoodsMovementStatus"] == "C":
        raise business_error("VL/602", f"Goods issue for delivery {delivery} is already posted")
    if header["OverallPickingStatus"] not in ("", "C"):
        raise business_error(
            "VL/609", f"Delivery {delivery}: picking is not complete; goods issue not posted"
        )
    items = delivery_items(tx, delivery)
    needed: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for item in items:
        key = (item["Material"], item["Plant"], item["StorageLocation"])
        amount, unit = needed.get(key, (Decimal(0), item["DeliveryQuantityUnit"]))
        needed[key] = (amount + item["ActualDeliveryQuantity"], unit)
    deficits = []
    for (material, plant, location), (amount, unit) in needed.items():
        on_hand = available(tx, material, plant, location)
        if on_hand < amount:
            deficits.append(
                ErrorDetail(
                    "M7/021",
                    f"Deficit of SL Unrestricted-use {quantity(amount - on_hand)} {unit} : "
                    f"{material} {plant} {location}",
                )
            )
    if deficits:
        raise business_error(deficits[0].code, deficits[0].message, details=tuple(deficits))
    record_delivery_issue(tx, delivery, items, now)
    today = day(now)
    header.update(
        ActualGoodsMovementDate=today,
        OverallGoodsMovementStatus="C",
        OverallSDProcessStatus="B",
    )
    touch_delivery(header, now)
    save(tx, DELIVERIES, header)
    for order in sorted({item["ReferenceSDDocument"] for item in items}, key=int):
        refresh_order(tx, order, now)
    return header
