"""Pure functions from Business Central API v2.0 payloads to the canonical model.

Natives ids are BC's document and master data numbers (``number``), which survive posting
(a posted invoice names its order by ``orderNumber``), not the GUIDs. A delivery is a posted
sales shipment, or the shipment an order's quantities to ship describe before it is posted;
its id is ``<order number>-<k>``: the k-th shipment of that order (see :func:`delivery_id`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from system_apis.contracts.models import (
    Address,
    CreditLimit,
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
from system_apis.contracts.people import Employee, EmploymentStatus

Json = Mapping[str, Any]
NIL_GUID = "00000000-0000-0000-0000-000000000000"
_NOT_BLOCKED = ("", " ", "_x0020_")
_INVOICE_STATUS = {
    "Draft": InvoiceStatus.DRAFT,
    "In_x0020_Review": InvoiceStatus.DRAFT,
    "Open": InvoiceStatus.POSTED,
    "Paid": InvoiceStatus.PAID,
    "Canceled": InvoiceStatus.CANCELLED,
    "Corrective": InvoiceStatus.CANCELLED,
}
_EMPLOYMENT = {
    "Active": EmploymentStatus.ACTIVE,
    "Inactive": EmploymentStatus.ON_LEAVE,
    "Terminated": EmploymentStatus.TERMINATED,
}


def timestamp(value: str | None) -> dt.datetime | None:
    if not value or value.startswith("0001-01-01"):
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _money(amount: Any, currency: str | None, local: str) -> Money:
    return Money(amount=Decimal(str(amount)), currency=currency or local)


def customer(
    source: Source, row: Json, local_currency: str, *, with_credit: bool = False
) -> Customer:
    country = _text(row.get("country"))
    limit = Decimal(str(row.get("creditLimit") or 0)) if with_credit else Decimal(0)
    return Customer(
        id=canonical_id(source.connection, row["number"]),
        native_id=row["number"],
        source=source,
        name=row["displayName"],
        is_organization=row.get("type", "Company") == "Company",
        blocked=row.get("blocked", "") not in _NOT_BLOCKED,
        address=Address(
            street=_text(row.get("addressLine1")),
            postal_code=_text(row.get("postalCode")),
            city=_text(row.get("city")),
            region=_text(row.get("state")),
            country=country.upper() if country and len(country) == 2 else None,
        ),
        changed_at=timestamp(row.get("lastModifiedDateTime")),
        credit_limit=(
            CreditLimit(
                amount=_money(limit, row.get("currencyCode"), local_currency),
                blocked=row.get("blocked") == "All",
            )
            if limit > 0
            else None
        ),
    )


def product(source: Source, row: Json, local_currency: str) -> Product:
    return Product(
        id=canonical_id(source.connection, row["number"]),
        native_id=row["number"],
        source=source,
        sku=row["number"],
        name=row["displayName"],
        base_unit=row["baseUnitOfMeasureCode"],
        product_type=_text(row.get("type")),
        product_group=_text(row.get("itemCategoryCode")),
        list_price=_money(row["unitPrice"], None, local_currency),
        deleted=False,
    )


def level_id(sku: str, location: str) -> str:
    return f"{sku}@{location}"


def inventory_levels(
    source: Source,
    entries: Sequence[Json],
    changed: Mapping[tuple[str, str], dt.datetime] | None = None,
) -> list[InventoryLevel]:
    """Stock per item and location: the sum of the analytics API's item ledger entries
    (``itemNo``, ``locationCode``, ``quantity``), zero levels left out, by sku then location."""
    sums: dict[tuple[str, str], Decimal] = {}
    units: dict[str, str] = {}
    for entry in entries:
        key = (entry["itemNo"], entry.get("locationCode") or "")
        sums[key] = sums.get(key, Decimal(0)) + Decimal(str(entry["quantity"]))
        units[entry["itemNo"]] = entry.get("unitOfMeasureCode") or units.get(entry["itemNo"], "PCS")
    return [
        InventoryLevel(
            id=canonical_id(source.connection, level_id(sku, location)),
            native_id=level_id(sku, location),
            source=source,
            sku=sku,
            location=location,
            quantity=Quantity(value=quantity, unit=units[sku]),
            changed_at=(changed or {}).get((sku, location)),
        )
        for (sku, location), quantity in sorted(sums.items())
        if quantity != 0
    ]


def _progress(done: Decimal, total: Decimal) -> DocumentStatus:
    if total <= 0:
        return DocumentStatus.NOT_RELEVANT
    if done <= 0:
        return DocumentStatus.OPEN
    return DocumentStatus.COMPLETE if done >= total else DocumentStatus.PARTIAL


def sales_order(
    source: Source, row: Json, local_currency: str, locations: Mapping[str, str]
) -> SalesOrder:
    """An order from ``salesOrders`` with ``$expand=salesOrderLines``; ``locations`` maps
    location ids to codes."""
    currency = row.get("currencyCode") or local_currency
    lines = [ln for ln in row.get("salesOrderLines") or [] if ln.get("lineType") == "Item"]
    ordered = sum((Decimal(str(ln["quantity"])) for ln in lines), Decimal(0))
    shipped = sum((Decimal(str(ln["shippedQuantity"])) for ln in lines), Decimal(0))
    invoiced = sum((Decimal(str(ln["invoicedQuantity"])) for ln in lines), Decimal(0))
    delivery, billing = _progress(shipped, ordered), _progress(invoiced, ordered)
    if billing is DocumentStatus.COMPLETE:
        status = OrderStatus.INVOICED
    elif delivery is DocumentStatus.COMPLETE:
        status = OrderStatus.SHIPPED
    elif delivery is DocumentStatus.PARTIAL:
        status = OrderStatus.PARTIALLY_SHIPPED
    else:
        status = OrderStatus.ORDERED
    return SalesOrder(
        id=canonical_id(source.connection, row["number"]),
        native_id=row["number"],
        source=source,
        number=row["number"],
        customer_id=canonical_id(source.connection, row["customerNumber"]),
        external_reference=_text(row.get("externalDocumentNumber")),
        order_date=dt.date.fromisoformat(row["orderDate"]),
        changed_at=timestamp(row.get("lastModifiedDateTime")),
        net_amount=_money(row["totalAmountExcludingTax"], currency, local_currency),
        tax_amount=_money(row["totalTaxAmount"], currency, local_currency),
        gross_amount=_money(row["totalAmountIncludingTax"], currency, local_currency),
        status=status,
        delivery_status=delivery,
        billing_status=billing,
        lines=tuple(
            SalesOrderLine(
                line_number=str(ln["sequence"]),
                sku=ln["lineObjectNumber"],
                description=_text(ln.get("description")),
                quantity=Quantity(value=Decimal(str(ln["quantity"])), unit=ln["unitOfMeasureCode"]),
                net_amount=_money(ln["netAmount"], currency, local_currency),
                tax_amount=_money(ln["netTaxAmount"], currency, local_currency),
                location=locations.get(ln.get("locationId") or NIL_GUID),
            )
            for ln in lines
        ),
    )


def delivery_id(order_number: str, index: int) -> str:
    """The id of the ``index``-th (1-based) shipment of an order."""
    return f"{order_number}-{index}"


def parse_delivery_id(native_id: str) -> tuple[str, int] | None:
    order, sep, index = native_id.rpartition("-")
    if not sep or not order or not index.isdigit() or int(index) < 1:
        return None
    return order, int(index)


def shipment(source: Source, row: Json, index: int) -> Delivery:
    """A posted shipment (``salesShipments`` with ``$expand=salesShipmentLines``), the
    ``index``-th of its order."""
    order = row["orderNumber"]
    native = delivery_id(order, index)
    order_id = canonical_id(source.connection, order)
    return Delivery(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=row["number"],
        customer_id=canonical_id(source.connection, row["customerNumber"]),
        order_ids=(order_id,),
        created_at=timestamp(row.get("lastModifiedDateTime")),
        goods_issued=True,
        goods_issue_date=dt.date.fromisoformat(row["postingDate"]),
        lines=tuple(
            DeliveryLine(
                line_number=str(ln["sequence"]),
                sku=ln["lineObjectNumber"],
                quantity=Quantity(value=Decimal(str(ln["quantity"])), unit=ln["unitOfMeasureCode"]),
                order_id=order_id,
                order_line=str(ln["sequence"]),
            )
            for ln in row.get("salesShipmentLines") or []
            if ln.get("lineType", "Item") == "Item"
        ),
    )


def pending_shipment(
    source: Source, order: Json, index: int, locations: Mapping[str, str]
) -> Delivery | None:
    """The shipment an open order's ``shipQuantity`` values describe, not posted yet; None
    when no line has a quantity to ship."""
    lines = [
        ln
        for ln in order.get("salesOrderLines") or []
        if ln.get("lineType") == "Item" and Decimal(str(ln["shipQuantity"])) > 0
    ]
    if not lines:
        return None
    native = delivery_id(order["number"], index)
    order_id = canonical_id(source.connection, order["number"])
    return Delivery(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=native,
        customer_id=canonical_id(source.connection, order["customerNumber"]),
        order_ids=(order_id,),
        goods_issued=False,
        lines=tuple(
            DeliveryLine(
                line_number=str(ln["sequence"]),
                sku=ln["lineObjectNumber"],
                quantity=Quantity(
                    value=Decimal(str(ln["shipQuantity"])), unit=ln["unitOfMeasureCode"]
                ),
                location=locations.get(ln.get("locationId") or NIL_GUID),
                order_id=order_id,
                order_line=str(ln["sequence"]),
            )
            for ln in lines
        ),
    )


def invoice(source: Source, row: Json, local_currency: str) -> Invoice:
    """An invoice from ``salesInvoices`` with ``$expand=salesInvoiceLines``."""
    currency = row.get("currencyCode") or local_currency
    order = _text(row.get("orderNumber"))
    order_id = canonical_id(source.connection, order) if order else None
    return Invoice(
        id=canonical_id(source.connection, row["number"]),
        native_id=row["number"],
        source=source,
        number=row["number"],
        customer_id=canonical_id(source.connection, row["customerNumber"]),
        order_ids=(order_id,) if order_id else (),
        invoice_date=dt.date.fromisoformat(row["invoiceDate"]),
        net_amount=_money(row["totalAmountExcludingTax"], currency, local_currency),
        tax_amount=_money(row["totalTaxAmount"], currency, local_currency),
        gross_amount=_money(row["totalAmountIncludingTax"], currency, local_currency),
        status=_INVOICE_STATUS.get(row.get("status", ""), InvoiceStatus.POSTED),
        changed_at=timestamp(row.get("lastModifiedDateTime")),
        lines=tuple(
            InvoiceLine(
                line_number=str(ln["sequence"]),
                sku=ln["lineObjectNumber"],
                quantity=Quantity(value=Decimal(str(ln["quantity"])), unit=ln["unitOfMeasureCode"]),
                net_amount=_money(ln["netAmount"], currency, local_currency),
                tax_amount=_money(ln["netTaxAmount"], currency, local_currency),
                order_id=order_id,
            )
            for ln in row.get("salesInvoiceLines") or []
            if ln.get("lineType") == "Item"
        ),
    )


def employee(source: Source, row: Json, company: str) -> Employee:
    """An employee from ``employees``. API v2.0 holds no pay or bank data: salary and bank
    account stay None whatever details are asked for."""
    hired = row.get("employmentDate")
    return Employee(
        id=canonical_id(source.connection, row["number"]),
        native_id=row["number"],
        source=source,
        personnel_number=row["number"],
        first_name=_text(row.get("givenName")),
        last_name=row.get("surname") or row["displayName"],
        job_title=_text(row.get("jobTitle")),
        company=company,
        hire_date=dt.date.fromisoformat(hired) if hired and hired != "0001-01-01" else None,
        status=_EMPLOYMENT.get(row.get("status", "Active"), EmploymentStatus.ACTIVE),
    )


def invoiced_order(
    source: Source, number: str, invoices: Sequence[Json], local_currency: str,
    locations: Mapping[str, str],
) -> SalesOrder:  # fmt: skip
    """An order BC deleted once it was shipped and invoiced in full, as its posted invoices
    (``salesInvoices`` with lines, ``orderNumber`` = ``number``) still tell it: its lines are
    the invoiced ones (by order line ``sequence``), its date the first invoice's."""
    first = min(invoices, key=lambda i: (i["invoiceDate"], i["number"]))
    last = max(invoices, key=lambda i: (i.get("lastModifiedDateTime") or "", i["number"]))
    currency = first.get("currencyCode") or local_currency
    lines: dict[int, dict[str, Any]] = {}
    for invoice in invoices:
        for ln in invoice.get("salesInvoiceLines") or []:
            if ln.get("lineType") != "Item":
                continue
            line = lines.setdefault(int(ln["sequence"]), {**ln, "quantity": 0, "netAmount": 0,
                                                          "netTaxAmount": 0})  # fmt: skip
            for key in ("quantity", "netAmount", "netTaxAmount"):
                line[key] = Decimal(str(line[key])) + Decimal(str(ln[key]))

    def total(key: str) -> Money:
        amount = sum((Decimal(str(i[key])) for i in invoices), Decimal(0))
        return _money(amount, currency, local_currency)

    return SalesOrder(
        id=canonical_id(source.connection, number),
        native_id=number,
        source=source,
        number=number,
        customer_id=canonical_id(source.connection, first["customerNumber"]),
        external_reference=_text(first.get("externalDocumentNumber")),
        order_date=dt.date.fromisoformat(first["invoiceDate"]),
        changed_at=timestamp(last.get("lastModifiedDateTime")),
        net_amount=total("totalAmountExcludingTax"),
        tax_amount=total("totalTaxAmount"),
        gross_amount=total("totalAmountIncludingTax"),
        status=OrderStatus.INVOICED,
        delivery_status=DocumentStatus.COMPLETE,
        billing_status=DocumentStatus.COMPLETE,
        lines=tuple(
            SalesOrderLine(
                line_number=str(sequence),
                sku=ln["lineObjectNumber"],
                description=_text(ln.get("description")),
                quantity=Quantity(value=ln["quantity"], unit=ln["unitOfMeasureCode"]),
                net_amount=_money(ln["netAmount"], currency, local_currency),
                tax_amount=_money(ln["netTaxAmount"], currency, local_currency),
                location=locations.get(ln.get("locationId") or NIL_GUID),
            )
            for sequence, ln in sorted(lines.items())
        ),
    )
