"""Invoices: customer ``account.invoice`` with its lines → Invoice.

``untaxed_amount``, ``tax_amount`` and ``total_amount`` are Tryton's own sums. Draft and
validated invoices are DRAFT, posted POSTED, paid PAID, cancelled CANCELLED. A draft has no
number (it is numbered by its id here) and may have no invoice date (its creation date is
used). Lines of type ``line`` are kept; a line's order is the invoice's sale when the invoice
bills exactly one (``sales``), its delivery the shipment of its first stock move. Tryton keeps
taxes per invoice, not per line, so lines carry no tax amount.
"""

from __future__ import annotations

from system_apis.contracts.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Money,
    Quantity,
    Source,
    canonical_id,
)
from system_apis.tryton.mapping.readers import (
    Row,
    decimal,
    ids,
    native_id,
    nested_list,
    nested_text,
    optional_date,
    optional_text,
    reference,
    required_many2one,
    required_text,
    timestamp,
)

SHIPMENT_MODEL = "stock.shipment.out"

INVOICE_FIELDS = (
    "number",
    "state",
    "invoice_date",
    "create_date",
    "write_date",
    "party",
    "currency.code",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "sales",
    "lines.type",
    "lines.product.code",
    "lines.quantity",
    "lines.unit.symbol",
    "lines.amount",
    "lines.origin",
    "lines.stock_moves.shipment",
)

_STATUSES = {
    "draft": InvoiceStatus.DRAFT,
    "validated": InvoiceStatus.DRAFT,
    "posted": InvoiceStatus.POSTED,
    "paid": InvoiceStatus.PAID,
    "cancelled": InvoiceStatus.CANCELLED,
}


def invoice_status(state: str) -> InvoiceStatus:
    try:
        return _STATUSES[state]
    except KeyError:
        raise ValueError(f"unknown invoice state {state!r}") from None


def invoice_line_from_tryton(
    line: Row, source: Source, currency: str, order_id: str | None
) -> InvoiceLine:
    """An ``account.invoice.line`` row of type ``line`` → InvoiceLine."""
    shipments = (reference(move, "shipment") for move in nested_list(line, "stock_moves"))
    shipment = next((s for s in shipments if s and s[0] == SHIPMENT_MODEL), None)
    origin = reference(line, "origin")
    return InvoiceLine(
        line_number=native_id(line),
        sku=nested_text(line, "product.code") or "",
        quantity=Quantity(
            value=decimal(line, "quantity"), unit=nested_text(line, "unit.symbol") or "unit"
        ),
        net_amount=Money(amount=decimal(line, "amount"), currency=currency),
        order_id=order_id if origin and origin[0] == "sale.line" else None,
        delivery_id=canonical_id(source.connection, str(shipment[1])) if shipment else None,
    )


def invoice_from_tryton(row: Row, source: Source, default_currency: str | None) -> Invoice:
    """An ``account.invoice`` row read with :data:`INVOICE_FIELDS` → Invoice."""
    native = native_id(row)
    currency = nested_text(row, "currency.code") or default_currency
    if currency is None:
        raise ValueError(f"invoice {native} has no currency")
    created = timestamp(row, "create_date")
    invoice_date = optional_date(row, "invoice_date") or (created.date() if created else None)
    if invoice_date is None:
        raise ValueError(f"invoice {native} has no date")
    orders = tuple(canonical_id(source.connection, str(sale)) for sale in ids(row, "sales"))
    line_order = orders[0] if len(orders) == 1 else None
    return Invoice(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=optional_text(row, "number") or native,
        customer_id=canonical_id(source.connection, str(required_many2one(row, "party"))),
        order_ids=orders,
        invoice_date=invoice_date,
        net_amount=Money(amount=decimal(row, "untaxed_amount"), currency=currency),
        tax_amount=Money(amount=decimal(row, "tax_amount"), currency=currency),
        gross_amount=Money(amount=decimal(row, "total_amount"), currency=currency),
        status=invoice_status(required_text(row, "state")),
        changed_at=timestamp(row, "write_date") or created,
        lines=tuple(
            invoice_line_from_tryton(line, source, currency, line_order)
            for line in nested_list(row, "lines")
            if line.get("type", "line") == "line"
        ),
    )
