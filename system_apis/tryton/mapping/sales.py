"""Sales orders: ``sale.sale`` with its lines → SalesOrder.

The native id is the sale's record id; ``number`` is Tryton's sale number. The gateway's
external reference is the sale's ``reference`` field (the customer's reference: editable in
every state, searchable, indexed), not ``description``, which is free text that locks once the
sale is quoted. Lines are the sale's ``line`` lines (comments, titles and subtotals are left
out); a line's number is its record id, which stock moves and invoice lines point back to
(``origin = "sale.line,<id>"``). The order's net, tax and gross amounts are Tryton's own
``untaxed_amount``, ``tax_amount`` and ``total_amount``; Tryton computes taxes per sale, not
per line, so lines carry their untaxed amount and no tax.
"""

from __future__ import annotations

from system_apis.contracts.models import (
    Money,
    Quantity,
    SalesOrder,
    SalesOrderLine,
    Source,
    canonical_id,
)
from system_apis.tryton.mapping.locations import WAREHOUSE_LABEL_FIELDS, warehouse_label
from system_apis.tryton.mapping.readers import (
    Row,
    decimal,
    native_id,
    nested_list,
    nested_text,
    optional_date,
    optional_decimal,
    optional_text,
    required_many2one,
    required_text,
    timestamp,
)
from system_apis.tryton.mapping.status import (
    billing_status,
    closed_unfulfilled,
    delivery_status,
    order_status,
)

SALE_FIELDS = (
    "number",
    "reference",
    "state",
    "shipment_state",
    "invoice_state",
    "sale_date",
    "create_date",
    "write_date",
    "party",
    "currency.code",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    *(f"warehouse.{name}" for name in WAREHOUSE_LABEL_FIELDS),
    "lines.type",
    "lines.product.code",
    "lines.description",
    "lines.quantity",
    "lines.unit.symbol",
    "lines.amount",
)


def sales_order_line_from_tryton(line: Row, currency: str, location: str | None) -> SalesOrderLine:
    """A ``sale.line`` row of type ``line`` → SalesOrderLine."""
    amount = optional_decimal(line, "amount")
    unit = nested_text(line, "unit.symbol")
    if unit is None:
        raise ValueError(f"sale line {line.get('id')} has no unit")
    return SalesOrderLine(
        line_number=native_id(line),
        sku=nested_text(line, "product.code") or "",
        description=optional_text(line, "description"),
        quantity=Quantity(value=decimal(line, "quantity"), unit=unit),
        net_amount=Money(amount=amount, currency=currency) if amount is not None else None,
        location=location,
    )


def sales_order_from_tryton(row: Row, source: Source, default_currency: str | None) -> SalesOrder:
    """A ``sale.sale`` row read with :data:`SALE_FIELDS` → SalesOrder."""
    native = native_id(row)
    state = required_text(row, "state")
    shipment_state = optional_text(row, "shipment_state") or "none"
    invoice_state = optional_text(row, "invoice_state") or "none"
    currency = nested_text(row, "currency.code") or default_currency
    if currency is None:
        raise ValueError(f"sale {native} has no currency")
    created = timestamp(row, "create_date")
    order_date = optional_date(row, "sale_date") or (created.date() if created else None)
    if order_date is None:
        raise ValueError(f"sale {native} has no date")
    location = warehouse_label(row)
    delivery = delivery_status(state, shipment_state)
    billing = billing_status(shipment_state, invoice_state)
    tax = optional_decimal(row, "tax_amount")
    total = optional_decimal(row, "total_amount")
    return SalesOrder(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=optional_text(row, "number") or native,
        customer_id=canonical_id(source.connection, str(required_many2one(row, "party"))),
        external_reference=optional_text(row, "reference"),
        order_date=order_date,
        created_at=created,
        changed_at=timestamp(row, "write_date") or created,
        net_amount=Money(amount=decimal(row, "untaxed_amount"), currency=currency),
        tax_amount=Money(amount=tax, currency=currency) if tax is not None else None,
        gross_amount=Money(amount=total, currency=currency) if total is not None else None,
        status=order_status(
            delivery, billing, closed_unfulfilled(state, shipment_state, invoice_state)
        ),
        delivery_status=delivery,
        billing_status=billing,
        lines=tuple(
            sales_order_line_from_tryton(line, currency, location)
            for line in nested_list(row, "lines")
            if line.get("type", "line") == "line"
        ),
    )
