"""What a changed record announces, and the settings of change capture."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.streams import (
    Stream,
    inventory_events,
    invoice_events,
    order_events,
)
from process_apis.events.documents import invoice_issued
from process_apis.events.model import EventType
from system_apis.contracts.models import (
    DocumentStatus,
    InventoryLevel,
    Invoice,
    InvoiceStatus,
    Money,
    OrderStatus,
    Quantity,
    SalesOrder,
    Source,
)

pytestmark = pytest.mark.unit

SOURCE = Source(connection="EU01", erp="memory")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
EUR = Money(amount=Decimal("10.00"), currency="EUR")


def order(status: OrderStatus, changed: dt.datetime = T0, **extra: object) -> SalesOrder:
    return SalesOrder(
        id="EU01:7",
        native_id="7",
        source=SOURCE,
        number="7",
        customer_id="EU01:1",
        order_date=T0.date(),
        changed_at=changed,
        net_amount=EUR,
        status=status,
        delivery_status=extra.pop("delivery", DocumentStatus.OPEN),  # type: ignore[arg-type]
        billing_status=extra.pop("billing", DocumentStatus.NOT_RELEVANT),  # type: ignore[arg-type]
    )


def invoice(status: InvoiceStatus) -> Invoice:
    return Invoice(
        id="EU01:90000001",
        native_id="90000001",
        source=SOURCE,
        number="90000001",
        customer_id="EU01:1",
        invoice_date=T0.date(),
        net_amount=EUR,
        tax_amount=EUR,
        gross_amount=EUR,
        status=status,
        changed_at=T0,
    )


def level(quantity: str, changed: dt.datetime = T0) -> InventoryLevel:
    return InventoryLevel(
        id="EU01:TG11@1010/0001",
        native_id="TG11@1010/0001",
        source=SOURCE,
        sku="TG11",
        location="1010/0001",
        quantity=Quantity(value=Decimal(quantity), unit="PC"),
        changed_at=changed,
    )


def test_an_order_announces_each_status_once() -> None:
    (first,) = order_events(order(OrderStatus.ORDERED))
    (again,) = order_events(order(OrderStatus.ORDERED, T0 + dt.timedelta(minutes=5)))
    (shipped,) = order_events(
        order(OrderStatus.SHIPPED, delivery=DocumentStatus.COMPLETE, billing=DocumentStatus.OPEN)
    )
    assert first.type is EventType.ORDER_STATUS_CHANGED
    assert first.id == again.id
    assert shipped.id != first.id
    assert shipped.aggregate == "order:EU01:7"
    assert shipped.occurred_at == T0
    assert shipped.data["status"] == "shipped"
    assert shipped.data["delivery_status"] == "complete"
    assert shipped.data["billing_status"] == "open"


def test_an_invoice_is_issued_then_changes_status_and_a_draft_is_nothing() -> None:
    assert invoice_events(invoice(InvoiceStatus.DRAFT)) == []
    (issued,) = invoice_events(invoice(InvoiceStatus.POSTED))
    (paid,) = invoice_events(invoice(InvoiceStatus.PAID))
    assert issued.type is EventType.INVOICE_ISSUED
    assert paid.type is EventType.INVOICE_STATUS_CHANGED
    assert paid.data["status"] == "paid"
    assert issued.id != paid.id
    assert invoice_events(invoice(InvoiceStatus.PAID))[0].id == paid.id
    # An invoice the order flow created and announced is the same event.
    assert issued.id == invoice_issued(invoice(InvoiceStatus.POSTED)).id


def test_a_level_announces_each_change_with_its_quantity() -> None:
    (first,) = inventory_events(level("5"))
    (same,) = inventory_events(level("5"))
    (later,) = inventory_events(level("5", T0 + dt.timedelta(seconds=1)))
    (other,) = inventory_events(level("4"))
    assert first.id == same.id
    assert len({first.id, later.id, other.id}) == 3
    assert first.type is EventType.INVENTORY_CHANGED
    assert first.data["quantity"] == "5"
    assert (first.data["sku"], first.data["location"]) == ("TG11", "1010/0001")


def test_policy_defaults_and_bad_settings() -> None:
    policy = ChangeCapturePolicy()
    assert not policy.enabled
    assert policy.start == "now"
    assert set(policy.streams) == set(Stream)
    assert ChangeCapturePolicy(start="2026-03-01T09:00:00Z").start == T0  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ChangeCapturePolicy(interval_seconds=0)
    with pytest.raises(ValidationError):
        ChangeCapturePolicy(start="2026-03-01T09:00:00")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ChangeCapturePolicy(streams=("customers",))  # type: ignore[arg-type]
