"""SuiteQL rows to the canonical model: pure functions, one per record kind.

A SuiteQL answer's items carry lower-case column names (or the query's aliases), every
value as text, and leave out columns that are null. Sales transaction lines carry the
ledger's signs: a sales order's, fulfillment's or invoice's item quantities and amounts are
negative, so they are negated here. Timestamps are read as ``YYYY-MM-DD HH24:MI:SS`` text
(the queries format them so) in the account's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

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

Row = Mapping[str, Any]
UTC = ZoneInfo("UTC")
DEFAULT_UNIT = "EA"

# NetSuite's sales order statuses: A Pending Approval, B Pending Fulfillment, C Cancelled,
# D Partially Fulfilled, E Pending Billing/Partially Fulfilled, F Pending Billing, G Billed,
# H Closed (every line closed: the adapter cancels an order so, before anything shipped).
ORDER_STATUS = {
    "A": (OrderStatus.ORDERED, DocumentStatus.OPEN, DocumentStatus.NOT_RELEVANT),
    "B": (OrderStatus.ORDERED, DocumentStatus.OPEN, DocumentStatus.NOT_RELEVANT),
    "C": (OrderStatus.CANCELLED, DocumentStatus.NOT_RELEVANT, DocumentStatus.NOT_RELEVANT),
    "D": (OrderStatus.PARTIALLY_SHIPPED, DocumentStatus.PARTIAL, DocumentStatus.NOT_RELEVANT),
    "E": (OrderStatus.PARTIALLY_SHIPPED, DocumentStatus.PARTIAL, DocumentStatus.OPEN),
    "F": (OrderStatus.SHIPPED, DocumentStatus.COMPLETE, DocumentStatus.OPEN),
    "G": (OrderStatus.INVOICED, DocumentStatus.COMPLETE, DocumentStatus.COMPLETE),
    "H": (OrderStatus.CANCELLED, DocumentStatus.NOT_RELEVANT, DocumentStatus.NOT_RELEVANT),
}
INVOICE_STATUS = {"A": InvoiceStatus.POSTED, "B": InvoiceStatus.PAID, "V": InvoiceStatus.CANCELLED}
SHIPPED = "C"
"""Item fulfillment ship status Shipped (A Picked, B Packed): the goods left."""


def decimal(row: Row, key: str) -> Decimal | None:
    value = row.get(key)
    return None if value is None or value == "" else Decimal(str(value))


def timestamp(row: Row, key: str, zone: ZoneInfo = UTC) -> dt.datetime | None:
    value = row.get(key)
    if value is None:
        return None
    parsed = dt.datetime.strptime(str(value)[:19].replace("T", " "), "%Y-%m-%d %H:%M:%S")
    return parsed.replace(tzinfo=zone).astimezone(dt.UTC)


def date(row: Row, key: str) -> dt.date | None:
    value = row.get(key)
    return None if value is None else dt.date.fromisoformat(str(value)[:10])


def required_date(row: Row) -> dt.date:
    found = date(row, "trandate")
    if found is None:
        raise ValueError(f"transaction {row.get('id')} has no date")
    return found


def unit(row: Row) -> str:
    return str(row.get("stockunit") or DEFAULT_UNIT).upper()


def customer_from_row(row: Row, source: Source, zone: ZoneInfo = UTC) -> Customer:
    native = str(row["id"])
    person = row.get("isperson") == "T"
    name = (
        " ".join(p for p in (row.get("firstname"), row.get("lastname")) if p)
        if person
        else row.get("companyname")
    ) or str(row.get("entityid") or native)
    has_address = any(row.get(k) for k in ("addr1", "zip", "city", "state", "country"))
    limit = decimal(row, "creditlimit")
    return Customer(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        name=name,
        is_organization=not person,
        blocked=row.get("isinactive") == "T",
        address=Address(
            street=row.get("addr1"),
            postal_code=row.get("zip"),
            city=row.get("city"),
            region=row.get("state"),
            country=row.get("country"),
        )
        if has_address
        else None,
        created_at=timestamp(row, "created", zone),
        changed_at=timestamp(row, "changed", zone),
        credit_limit=None
        if limit is None or row.get("creditcurrency") is None
        else CreditLimit(
            amount=Money(amount=limit, currency=str(row["creditcurrency"])),
            blocked=row.get("creditholdoverride") == "ON",
        ),
    )


def product_from_row(row: Row, source: Source) -> Product:
    sku = str(row["itemid"])
    price = decimal(row, "unitprice")
    weight = decimal(row, "weight")
    return Product(
        id=canonical_id(source.connection, sku),
        native_id=sku,
        source=source,
        sku=sku,
        name=str(row.get("displayname") or sku),
        base_unit=unit(row),
        product_type=row.get("itemtype"),
        product_group=row.get("classname"),
        gross_weight=None
        if weight is None
        else Quantity(value=weight, unit=str(row.get("weightunit") or "lb").upper()),
        list_price=None
        if price is None or row.get("currency") is None
        else Money(amount=price, currency=str(row["currency"])),
        deleted=row.get("isinactive") == "T",
    )


def level_id(sku: str, location: str) -> str:
    return f"{sku}@{location}"


def level_from_row(row: Row, source: Source, zone: ZoneInfo = UTC) -> InventoryLevel:
    sku, location = str(row["itemid"]), str(row["location"])
    return InventoryLevel(
        id=canonical_id(source.connection, level_id(sku, location)),
        native_id=level_id(sku, location),
        source=source,
        sku=sku,
        location=location,
        quantity=Quantity(value=decimal(row, "quantityonhand") or Decimal(0), unit=unit(row)),
        changed_at=timestamp(row, "changed", zone),
    )


def _lines_of(lines: Iterable[Row], transaction: str) -> list[Row]:
    return [line for line in lines if str(line["transaction"]) == transaction]


def order_from_rows(
    header: Row, lines: Iterable[Row], source: Source, zone: ZoneInfo = UTC
) -> SalesOrder:
    native = str(header["id"])
    currency = str(header["currency"])
    status, delivery, billing = ORDER_STATUS[str(header["status"])]
    mapped = [
        SalesOrderLine(
            line_number=str(line["linesequencenumber"]),
            sku=str(line["itemid"]),
            description=line.get("displayname"),
            quantity=Quantity(value=-(decimal(line, "quantity") or Decimal(0)), unit=unit(line)),
            net_amount=Money(amount=-(decimal(line, "netamount") or Decimal(0)), currency=currency),
            location=line.get("location"),
        )
        for line in _lines_of(lines, native)
    ]
    net = sum((line.net_amount.amount for line in mapped if line.net_amount), Decimal(0))
    tax = decimal(header, "taxtotal")
    ordered = required_date(header)
    return SalesOrder(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=str(header.get("tranid") or native),
        customer_id=canonical_id(source.connection, str(header["entity"])),
        external_reference=header.get("externalid"),
        order_date=ordered,
        created_at=timestamp(header, "created", zone),
        changed_at=timestamp(header, "changed", zone),
        net_amount=Money(amount=net, currency=currency),
        tax_amount=None if tax is None else Money(amount=tax, currency=currency),
        gross_amount=None if tax is None else Money(amount=net + tax, currency=currency),
        status=status,
        delivery_status=delivery,
        billing_status=billing,
        lines=tuple(mapped),
    )


def delivery_from_rows(
    header: Row, lines: Iterable[Row], source: Source, zone: ZoneInfo = UTC
) -> Delivery:
    native = str(header["id"])
    own = _lines_of(lines, native)
    orders = tuple(
        dict.fromkeys(
            canonical_id(source.connection, str(line["orderid"]))
            for line in own
            if line.get("orderid") is not None
        )
    )
    shipped = header.get("status") == SHIPPED
    return Delivery(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=str(header.get("tranid") or native),
        customer_id=canonical_id(source.connection, str(header["entity"])),
        order_ids=orders,
        created_at=timestamp(header, "created", zone),
        goods_issued=shipped,
        goods_issue_date=date(header, "trandate") if shipped else None,
        lines=tuple(
            DeliveryLine(
                line_number=str(line["linesequencenumber"]),
                sku=str(line["itemid"]),
                quantity=Quantity(
                    value=-(decimal(line, "quantity") or Decimal(0)), unit=unit(line)
                ),
                location=line.get("location"),
                order_id=None
                if line.get("orderid") is None
                else canonical_id(source.connection, str(line["orderid"])),
                order_line=None if line.get("orderline") is None else str(line["orderline"]),
            )
            for line in own
        ),
    )


def invoice_from_rows(
    header: Row, lines: Iterable[Row], source: Source, zone: ZoneInfo = UTC
) -> Invoice:
    native = str(header["id"])
    currency = str(header["currency"])
    own = _lines_of(lines, native)
    mapped = [
        InvoiceLine(
            line_number=str(line["linesequencenumber"]),
            sku=str(line["itemid"]),
            quantity=Quantity(value=-(decimal(line, "quantity") or Decimal(0)), unit=unit(line)),
            net_amount=Money(amount=-(decimal(line, "netamount") or Decimal(0)), currency=currency),
            order_id=None
            if line.get("orderid") is None
            else canonical_id(source.connection, str(line["orderid"])),
        )
        for line in own
    ]
    net = sum((line.net_amount.amount for line in mapped), Decimal(0))
    tax = decimal(header, "taxtotal") or Decimal(0)
    invoiced = required_date(header)
    return Invoice(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        number=str(header.get("tranid") or native),
        customer_id=canonical_id(source.connection, str(header["entity"])),
        order_ids=tuple(dict.fromkeys(line.order_id for line in mapped if line.order_id)),
        invoice_date=invoiced,
        net_amount=Money(amount=net, currency=currency),
        tax_amount=Money(amount=tax, currency=currency),
        gross_amount=Money(amount=net + tax, currency=currency),
        status=INVOICE_STATUS[str(header["status"])],
        lines=tuple(mapped),
        changed_at=timestamp(header, "changed", zone),
    )
