"""Deliveries: ``stock.shipment.out`` with its outgoing moves → Delivery.

A customer shipment is created by the sale's processing; its outgoing moves (output location
→ customer) are the delivery lines, each pointing back to its sale line through ``origin``. The
goods are issued when the shipment is ``done``; its ``effective_date`` is the goods issue date.
A shipment without a number yet (still a draft) is numbered by its id.
"""

from __future__ import annotations

from system_apis.contracts.models import Delivery, DeliveryLine, Quantity, Source, canonical_id
from system_apis.tryton.mapping.locations import WAREHOUSE_LABEL_FIELDS, warehouse_label
from system_apis.tryton.mapping.readers import (
    Row,
    decimal,
    many2one,
    native_id,
    nested_list,
    nested_text,
    optional_date,
    optional_text,
    reference,
    required_many2one,
    timestamp,
)

SALE_LINE_MODEL = "sale.line"

DELIVERY_FIELDS = (
    "number",
    "state",
    "customer",
    "create_date",
    "effective_date",
    *(f"warehouse.{name}" for name in WAREHOUSE_LABEL_FIELDS),
    "outgoing_moves.state",
    "outgoing_moves.product.code",
    "outgoing_moves.quantity",
    "outgoing_moves.unit.symbol",
    "outgoing_moves.origin",
    "outgoing_moves.sale",
)


def delivery_line_from_tryton(move: Row, source: Source, location: str | None) -> DeliveryLine:
    """An outgoing ``stock.move`` row → DeliveryLine."""
    unit = nested_text(move, "unit.symbol")
    if unit is None:
        raise ValueError(f"stock move {move.get('id')} has no unit")
    sale = many2one(move, "sale")
    origin = reference(move, "origin")
    return DeliveryLine(
        line_number=native_id(move),
        sku=nested_text(move, "product.code") or "",
        quantity=Quantity(value=decimal(move, "quantity"), unit=unit),
        location=location,
        order_id=canonical_id(source.connection, str(sale)) if sale is not None else None,
        order_line=str(origin[1]) if origin and origin[0] == SALE_LINE_MODEL else None,
    )


def delivery_from_tryton(row: Row, source: Source) -> Delivery:
    """A ``stock.shipment.out`` row read with :data:`DELIVERY_FIELDS` → Delivery."""
    native = native_id(row)
    location = warehouse_label(row)
    moves = [m for m in nested_list(row, "outgoing_moves") if m.get("state") != "cancelled"]
    lines = tuple(delivery_line_from_tryton(move, source, location) for move in moves)
    issued = optional_text(row, "state") == "done"
    return Delivery(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=optional_text(row, "number") or native,
        customer_id=canonical_id(source.connection, str(required_many2one(row, "customer"))),
        order_ids=tuple(dict.fromkeys(line.order_id for line in lines if line.order_id)),
        created_at=timestamp(row, "create_date"),
        goods_issued=issued,
        goods_issue_date=optional_date(row, "effective_date") if issued else None,
        lines=lines,
    )
