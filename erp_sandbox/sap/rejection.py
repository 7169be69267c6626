"""Changes of a sales order item: its reason for rejection.

``PATCH``/``MERGE``/``PUT`` of ``A_SalesOrderItem(SalesOrder='…',SalesOrderItem='…')`` sets or
clears ``SalesDocumentRjcnReason``, as ``VA02`` does: a rejected item is closed (no further
delivery, complete as it stands) and the order's ``OverallSDDocumentRejectionSts`` becomes
``B`` or ``C`` once some or all items are rejected. The reason must be one of the configured
reasons (:data:`erp_sandbox.sap.org.REJECTION_REASONS`). An item that a delivery already
references cannot be rejected: the delivery must go first. ``A_SalesOrderItemType`` carries no
ETag in SAP's metadata, so the change needs no ``If-Match``; it changes the order header's
``LastChangeDateTime`` (and with it the header's ETag). Any other property is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.payload import parse_entity
from erp_sandbox.sap import org
from erp_sandbox.sap.orders import ITEMS, ORDERS, delivered_quantity, refresh_order
from erp_sandbox.sap.records import business_error, entity_type, require, save, stamp
from erp_sandbox.sap.store import Transaction

REASON = "SalesDocumentRjcnReason"


def update_sales_order_item(
    tx: Transaction, order: str, number: str, document: dict[str, Any], now: datetime
) -> Row:
    """Change the reason for rejection of item ``number`` of ``order``; the item row."""
    item = require(tx, ITEMS, order, number)
    payload = parse_entity(entity_type(ITEMS), document)
    if payload.navigations:
        raise business_error("V1/049", "Navigation properties cannot be changed here")
    for name, value in payload.values.items():
        if name != REASON and item.get(name) != value:
            raise business_error("V1/049", f"Property '{name}' cannot be changed", target=name)
    if REASON not in payload.values:
        return item
    reason = str(payload.values[REASON] or "")
    if reason and reason not in org.REJECTION_REASONS:
        raise business_error(
            "V1/086", f"Reason for rejection {reason} is not defined", target=REASON
        )
    if reason == (item.get(REASON) or ""):
        return item
    if reason and delivered_quantity(tx, order, number) > 0:
        raise business_error(
            "V1/377",
            f"Item {number} of sales order {order} cannot be rejected: "
            "a delivery references it (subsequent documents exist)",
            target=REASON,
        )
    item[REASON] = reason
    save(tx, ITEMS, item)
    header = require(tx, ORDERS, order)
    header["LastChangeDateTime"] = stamp(header["LastChangeDateTime"], now)
    save(tx, ORDERS, header)
    refresh_order(tx, order, now)
    return item
