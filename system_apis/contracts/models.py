"""The canonical model: one shape for every ERP's records.

Money is a Decimal with an ISO 4217 currency, quantities carry a unit, timestamps are
timezone-aware, countries are ISO 3166-1 alpha-2. Every record carries its ``source`` and its
native id; canonical ids encode both (see :func:`canonical_id`), so a record can always be
traced back to the ERP it came from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ID_SEPARATOR = ":"


def canonical_id(connection: str, native_id: str) -> str:
    """Stable id of a record: the connection name and the ERP's own id."""
    return f"{connection}{ID_SEPARATOR}{native_id}"


def split_id(record_id: str) -> tuple[str, str]:
    """Inverse of :func:`canonical_id`; raises ValueError for an id of another shape."""
    connection, sep, native = record_id.partition(ID_SEPARATOR)
    if not sep or not connection or not native:
        raise ValueError(f"not a gateway id: {record_id!r}")
    return connection, native


def _upper_code(length: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) != length or not value.isalpha() or not value.isupper():
            raise ValueError(f"expected a {length}-letter upper-case code, got {value!r}")
        return value

    return AfterValidator(check)


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    return value


CurrencyCode = Annotated[str, _upper_code(3)]
CountryCode = Annotated[str, _upper_code(2)]
AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """Where a record lives: the configured connection and the kind of ERP behind it."""

    connection: str
    erp: str


class Money(Frozen):
    amount: Decimal
    currency: CurrencyCode


class Quantity(Frozen):
    value: Decimal
    unit: str = Field(min_length=1)


class Record(Frozen):
    id: str
    native_id: str
    source: Source


class Address(Frozen):
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: CountryCode | None = None


class CustomerDetail(StrEnum):
    """A sensitive part of a customer record, read only when a list asks for it."""

    CREDIT_LIMIT = "credit_limit"


class CreditLimit(Frozen):
    """How much credit a customer is granted, as its ERP's credit management holds it.

    ``credit_segment`` is the ERP's credit segment (SAP) the limit belongs to, ``valid_to``
    the last day the limit applies, and ``blocked`` says credit management has blocked the
    customer's credit account (no new orders pass the credit check).
    """

    amount: Money
    credit_segment: str | None = None
    valid_to: dt.date | None = None
    blocked: bool = False


class Customer(Record):
    name: str
    is_organization: bool
    blocked: bool = False
    address: Address | None = None
    created_at: AwareDatetime | None = None
    changed_at: AwareDatetime | None = None
    credit_limit: CreditLimit | None = None
    """Read only when the list asked for ``CustomerDetail.CREDIT_LIMIT``; None otherwise and
    where the ERP holds no limit."""


class Product(Record):
    sku: str
    name: str
    base_unit: str
    product_type: str | None = None
    product_group: str | None = None
    gross_weight: Quantity | None = None
    list_price: Money | None = None
    deleted: bool = False
    unit_decimals: int | None = Field(default=None, ge=0)
    """Decimal places a quantity in ``base_unit`` may have (0 for pieces); None where the
    ERP does not say, and then quantities are not checked against it."""


class InventoryLevel(Record):
    """Stock of one product at one location (for SAP: plant and storage location)."""

    sku: str
    location: str
    quantity: Quantity
    stock_type: str = "unrestricted"
    changed_at: AwareDatetime | None = None


class DocumentStatus(StrEnum):
    NOT_RELEVANT = "not_relevant"
    OPEN = "open"
    PARTIAL = "partial"
    COMPLETE = "complete"


class OrderStatus(StrEnum):
    """End-to-end status of a sales order, from the customer's point of view."""

    ORDERED = "ordered"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"
    """Closed without fulfilment: every line rejected or cancelled in the ERP."""


class SalesOrderLine(Frozen):
    line_number: str
    sku: str
    description: str | None = None
    quantity: Quantity
    net_amount: Money | None = None
    tax_amount: Money | None = None
    location: str | None = None


class SalesOrder(Record):
    """A sales order; its amounts as the ERP prices it.

    ``tax_amount`` and ``gross_amount`` (``net_amount + tax_amount``) are None when the ERP
    does not say what tax the order carries.
    """

    number: str
    customer_id: str
    external_reference: str | None = None
    order_date: dt.date
    created_at: AwareDatetime | None = None
    changed_at: AwareDatetime | None = None
    net_amount: Money
    tax_amount: Money | None = None
    gross_amount: Money | None = None
    status: OrderStatus
    delivery_status: DocumentStatus
    billing_status: DocumentStatus
    lines: tuple[SalesOrderLine, ...] = ()


class DeliveryLine(Frozen):
    line_number: str
    sku: str
    quantity: Quantity
    location: str | None = None
    order_id: str | None = None
    order_line: str | None = None


class Delivery(Record):
    number: str
    customer_id: str
    order_ids: tuple[str, ...] = ()
    created_at: AwareDatetime | None = None
    goods_issued: bool
    goods_issue_date: dt.date | None = None
    lines: tuple[DeliveryLine, ...] = ()


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    PAID = "paid"
    CANCELLED = "cancelled"


class InvoiceLine(Frozen):
    line_number: str
    sku: str
    quantity: Quantity
    net_amount: Money
    tax_amount: Money | None = None
    order_id: str | None = None
    delivery_id: str | None = None


class Invoice(Record):
    number: str
    customer_id: str
    order_ids: tuple[str, ...] = ()
    invoice_date: dt.date
    net_amount: Money
    tax_amount: Money
    gross_amount: Money
    status: InvoiceStatus
    lines: tuple[InvoiceLine, ...] = ()
    changed_at: AwareDatetime | None = None
