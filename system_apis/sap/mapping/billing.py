"""Billing documents: ``A_BillingDocument`` and its items → Invoice."""

from __future__ import annotations

from decimal import Decimal

from system_apis.contracts.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Quantity,
    Source,
    canonical_id,
)
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.readers import (
    JsonObject,
    expanded,
    line_sort_key,
    money,
    optional_decimal,
    optional_text,
    required_decimal,
    required_text,
    unique,
)
from system_apis.sap.odata import parse_date, parse_datetime

CLEARED = "C"
"""``InvoiceClearingStatus`` of a billing document whose receivable is cleared (paid)."""


def invoice_status(entity: JsonObject) -> InvoiceStatus:
    """Cancelled wins; cleared (``InvoiceClearingStatus`` ``C``) → paid; posted to accounting
    (``AccountingPostingStatus`` ``C``) → posted; otherwise a draft."""
    if entity.get("BillingDocumentIsCancelled"):
        return InvoiceStatus.CANCELLED
    if optional_text(entity, "InvoiceClearingStatus") == CLEARED:
        return InvoiceStatus.PAID
    if optional_text(entity, "AccountingPostingStatus") == "C":
        return InvoiceStatus.POSTED
    return InvoiceStatus.DRAFT


def invoice_from_sap(entity: JsonObject, source: Source, defaults: SapDefaults) -> Invoice:
    """``A_BillingDocument`` (+ ``to_Item``) → Invoice.

    A line's ``delivery_id`` is its reference document when that differs from its sales order
    (delivery-related billing); order-related billing references the order itself.
    """
    number = required_text(entity, "BillingDocument")
    currency = optional_text(entity, "TransactionCurrency")
    items = sorted(
        expanded(entity, "to_Item") or [],
        key=lambda i: line_sort_key(str(i.get("BillingDocumentItem") or "")),
    )
    lines = []
    for item in items:
        order = optional_text(item, "SalesDocument")
        reference = optional_text(item, "ReferenceSDDocument")
        item_currency = optional_text(item, "TransactionCurrency") or currency
        tax = optional_decimal(item, "TaxAmount")
        lines.append(
            InvoiceLine(
                line_number=required_text(item, "BillingDocumentItem"),
                sku=required_text(item, "Material"),
                quantity=Quantity(
                    value=required_decimal(item, "BillingQuantity"),
                    unit=required_text(item, "BillingQuantityUnit"),
                ),
                net_amount=money(required_decimal(item, "NetAmount"), item_currency, defaults),
                tax_amount=money(tax, item_currency, defaults) if tax is not None else None,
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
    net = required_decimal(entity, "TotalNetAmount")
    tax_total = optional_decimal(entity, "TaxAmount") or Decimal(0)
    gross = optional_decimal(entity, "TotalGrossAmount")
    orders = unique(optional_text(item, "SalesDocument") or "" for item in items)
    return Invoice(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, required_text(entity, "SoldToParty")),
        order_ids=tuple(canonical_id(source.connection, o) for o in orders),
        invoice_date=invoice_date,
        net_amount=money(net, currency, defaults),
        tax_amount=money(tax_total, currency, defaults),
        gross_amount=money(gross if gross is not None else net + tax_total, currency, defaults),
        status=invoice_status(entity),
        lines=tuple(lines),
        changed_at=parse_datetime(entity.get("LastChangeDateTime")),
    )
