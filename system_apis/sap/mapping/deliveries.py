"""Outbound deliveries: ``A_OutbDeliveryHeader`` and its items → Delivery, and the create body.

Creating a delivery reads which items of the sales order are still open (:func:`open_order_items`)
and references them in the body (:func:`delivery_body`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from system_apis.contracts.models import Delivery, DeliveryLine, Quantity, Source, canonical_id
from system_apis.sap.mapping.codes import location_of
from system_apis.sap.mapping.readers import (
    JsonObject,
    date_as_datetime,
    expanded,
    line_sort_key,
    optional_text,
    required_decimal,
    required_text,
    unique,
)
from system_apis.sap.odata import parse_date


def open_order_items(entity: JsonObject) -> list[str]:
    """Item numbers of an expanded ``A_SalesOrder`` still to deliver (status ``A`` or ``B``).

    An item whose payload lacks ``DeliveryStatus`` counts as open and lets SAP decide;
    ``''`` (not relevant for delivery) and ``C`` (delivered) do not.
    """
    items = expanded(entity, "to_Item")
    if items is None:
        raise ValueError("the sales order items were not expanded")
    open_items = [
        required_text(item, "SalesOrderItem")
        for item in items
        if item.get("DeliveryStatus", "A") in ("A", "B")
    ]
    return sorted(open_items, key=line_sort_key)


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


def delivery_from_sap(
    entity: JsonObject, source: Source, items: list[JsonObject] | None = None
) -> Delivery:
    """``A_OutbDeliveryHeader`` (+ ``to_DeliveryDocumentItem``, or ``items``) → Delivery."""
    number = required_text(entity, "DeliveryDocument")
    rows = items if items is not None else expanded(entity, "to_DeliveryDocumentItem") or []
    rows = sorted(rows, key=lambda i: line_sort_key(str(i.get("DeliveryDocumentItem") or "")))
    lines = []
    for item in rows:
        order = optional_text(item, "ReferenceSDDocument")
        lines.append(
            DeliveryLine(
                line_number=required_text(item, "DeliveryDocumentItem"),
                sku=required_text(item, "Material"),
                quantity=Quantity(
                    value=required_decimal(item, "ActualDeliveryQuantity"),
                    unit=required_text(item, "DeliveryQuantityUnit"),
                ),
                location=location_of(
                    optional_text(item, "Plant"), optional_text(item, "StorageLocation")
                ),
                order_id=canonical_id(source.connection, order) if order else None,
                order_line=optional_text(item, "ReferenceSDDocumentItem"),
            )
        )
    customer = optional_text(entity, "SoldToParty") or required_text(entity, "ShipToParty")
    orders = unique(optional_text(item, "ReferenceSDDocument") or "" for item in rows)
    return Delivery(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, customer),
        order_ids=tuple(canonical_id(source.connection, o) for o in orders),
        created_at=date_as_datetime(entity, "CreationDate"),
        goods_issued=optional_text(entity, "OverallGoodsMovementStatus") == "C",
        goods_issue_date=parse_date(entity.get("ActualGoodsMovementDate")),
        lines=tuple(lines),
    )
