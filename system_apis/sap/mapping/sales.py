"""Sales orders: ``A_SalesOrder`` and its items → SalesOrder, and a draft → the create body.

SAP keeps an order's output tax on its items (``TaxAmount``), not on the header: the order's
tax is the sum of its items', and its gross amount ``TotalNetAmount`` plus that sum. An order
read without its items, or with an item lacking ``TaxAmount``, has no tax or gross amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.models import (
    DocumentStatus,
    Money,
    OrderStatus,
    Quantity,
    SalesOrder,
    SalesOrderLine,
    Source,
    canonical_id,
)
from system_apis.sap.mapping.codes import document_status, location_of, split_location
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.readers import (
    JsonObject,
    date_as_datetime,
    expanded,
    line_sort_key,
    money,
    optional_decimal,
    optional_text,
    required_decimal,
    required_text,
)
from system_apis.sap.odata import format_decimal, parse_date, parse_datetime

ALL_REJECTED = "C"
"""``OverallSDDocumentRejectionSts`` of an order whose every item carries a rejection reason."""


def order_status(
    delivery: DocumentStatus, billing: DocumentStatus, rejection: str | None = None
) -> OrderStatus:
    """Every item rejected → cancelled; billed completely → invoiced; delivered completely →
    shipped; partly → partially."""
    if rejection == ALL_REJECTED:
        return OrderStatus.CANCELLED
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
    net = optional_decimal(item, "NetAmount")
    tax = optional_decimal(item, "TaxAmount")
    currency = optional_text(item, "TransactionCurrency") or header_currency
    # Built without validation: every value comes from a typed reader, and the parts that
    # carry constraints (Quantity, Money) are validated models themselves.
    return SalesOrderLine.model_construct(
        line_number=required_text(item, "SalesOrderItem"),
        sku=required_text(item, "Material"),
        description=optional_text(item, "SalesOrderItemText"),
        quantity=Quantity(
            value=required_decimal(item, "RequestedQuantity"),
            unit=required_text(item, "RequestedQuantityUnit"),
        ),
        net_amount=money(net, currency, defaults) if net is not None else None,
        tax_amount=money(tax, currency, defaults) if tax is not None else None,
        location=location_of(
            optional_text(item, "ProductionPlant"), optional_text(item, "StorageLocation")
        ),
    )


def sales_order_from_sap(
    entity: JsonObject,
    source: Source,
    defaults: SapDefaults,
    billing: DocumentStatus | None = None,
) -> SalesOrder:
    """``A_SalesOrder`` (+ ``to_Item``) → SalesOrder; lines are empty when not expanded.

    ``billing`` is the billing state read from the order's billing documents (see
    :mod:`system_apis.sap.invoicing`); without it ``OverallOrdReltdBillgStatus`` is used.
    """
    number = required_text(entity, "SalesOrder")
    currency = optional_text(entity, "TransactionCurrency")
    delivery = document_status(optional_text(entity, "OverallTotalDeliveryStatus"))
    if billing is None:
        billing = document_status(optional_text(entity, "OverallOrdReltdBillgStatus"))
    order_date = parse_date(entity.get("SalesOrderDate")) or parse_date(entity.get("CreationDate"))
    if order_date is None:
        raise ValueError(f"sales order {number} has no date")
    items = sorted(
        expanded(entity, "to_Item") or [],
        key=lambda i: line_sort_key(str(i.get("SalesOrderItem") or "")),
    )
    lines = tuple(sales_order_line_from_sap(i, currency, defaults) for i in items)
    net = money(required_decimal(entity, "TotalNetAmount"), currency, defaults)
    taxes = [line.tax_amount for line in lines]
    tax: Money | None = None
    if lines and all(amount is not None for amount in taxes):
        tax = Money(
            amount=sum((amount.amount for amount in taxes if amount), Decimal(0)),
            currency=net.currency,
        )
    # Built without validation, as its lines: the values come from typed readers (aware
    # datetimes from parse_datetime), and Money, Source and the lines are models already.
    return SalesOrder.model_construct(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, required_text(entity, "SoldToParty")),
        external_reference=optional_text(entity, "PurchaseOrderByCustomer"),
        order_date=order_date,
        created_at=date_as_datetime(entity, "CreationDate"),
        changed_at=parse_datetime(entity.get("LastChangeDateTime")),
        net_amount=net,
        tax_amount=tax,
        gross_amount=(
            Money(amount=net.amount + tax.amount, currency=net.currency) if tax else None
        ),
        status=order_status(
            delivery, billing, optional_text(entity, "OverallSDDocumentRejectionSts")
        ),
        delivery_status=delivery,
        billing_status=billing,
        lines=lines,
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
