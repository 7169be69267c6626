"""Invoice notices: the ERP's status is published, never the pushed one."""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.connections import Connections
from process_apis.events.documents import invoice_issued
from process_apis.events.model import EventType
from process_apis.invoice_status.events import invoice_event, invoice_event_id
from process_apis.invoice_status.flow import (
    INVOICE_ISSUED,
    INVOICE_PAID,
    InvoiceNotice,
    InvoiceStatusSync,
)
from system_apis.contracts import errors
from system_apis.contracts.models import InvoiceStatus
from tests.fakes.memory_erp import MemoryErp
from tests.unit.inbound.conftest import add_invoice, inbound


@pytest.fixture
def erp() -> MemoryErp:
    return MemoryErp()


@pytest.fixture
def sync(erp: MemoryErp) -> InvoiceStatusSync:
    return InvoiceStatusSync(Connections({"EU01": erp}))


async def notice(sync: InvoiceStatusSync, type: str, number: str):  # type: ignore[no-untyped-def]
    data = {"invoice": number}
    return await sync.handle(
        inbound(type, data, source="erp-push"), InvoiceNotice.model_validate(data)
    )


async def test_an_issued_invoice_is_published_with_what_the_erp_holds(
    sync: InvoiceStatusSync, erp: MemoryErp
) -> None:
    add_invoice(erp, "90000001", InvoiceStatus.POSTED)
    [event] = await notice(sync, INVOICE_ISSUED, "90000001")

    assert event.type is EventType.INVOICE_ISSUED
    assert event.aggregate == "invoice:EU01:90000001"
    assert event.data == {
        "connection": "EU01",
        "invoice_id": "EU01:90000001",
        "number": "90000001",
        "status": "posted",
        "customer_id": "EU01:17100001",
        "order_ids": [],
        "invoice_date": "2026-11-20",
        "net_amount": {"amount": "100.00", "currency": "EUR"},
        "tax_amount": {"amount": "19.00", "currency": "EUR"},
        "gross_amount": {"amount": "119.00", "currency": "EUR"},
    }
    # The same event the order flow announces when it bills an order.
    billed = invoice_issued(erp.invoices["90000001"])
    assert event.model_dump(exclude={"occurred_at"}) == billed.model_dump(exclude={"occurred_at"})
    assert erp.calls["list_invoices"] == 1


async def test_a_paid_notice_for_an_invoice_the_erp_shows_paid_is_a_status_change(
    sync: InvoiceStatusSync, erp: MemoryErp
) -> None:
    add_invoice(erp, "90000001", InvoiceStatus.PAID)
    [event] = await notice(sync, INVOICE_PAID, "90000001")
    assert event.type is EventType.INVOICE_STATUS_CHANGED
    assert event.data["status"] == "paid"


async def test_the_pushed_status_is_not_trusted(sync: InvoiceStatusSync, erp: MemoryErp) -> None:
    add_invoice(erp, "90000001", InvoiceStatus.POSTED)
    [event] = await notice(sync, INVOICE_PAID, "90000001")
    assert event.type is EventType.INVOICE_ISSUED
    assert event.data["status"] == "posted"


async def test_a_draft_publishes_nothing(sync: InvoiceStatusSync, erp: MemoryErp) -> None:
    add_invoice(erp, "90000001", InvoiceStatus.DRAFT)
    assert await notice(sync, INVOICE_ISSUED, "90000001") == []


async def test_an_unknown_invoice_is_the_erps_not_found(sync: InvoiceStatusSync) -> None:
    with pytest.raises(errors.NotFound):
        await notice(sync, INVOICE_ISSUED, "90000099")


async def test_push_and_poll_derive_one_event_per_status(
    sync: InvoiceStatusSync, erp: MemoryErp
) -> None:
    invoice = add_invoice(erp, "90000001", InvoiceStatus.POSTED)
    [pushed] = await notice(sync, INVOICE_ISSUED, "90000001")
    polled = invoice_event(invoice)
    refreshed = await sync.refresh("EU01", "90000001")
    assert polled is not None
    assert refreshed is not None
    assert pushed.id == polled.id == refreshed.id
    assert pushed.id == invoice_event_id(invoice, InvoiceStatus.POSTED)

    paid = invoice_event(invoice.model_copy(update={"status": InvoiceStatus.PAID}))
    assert paid is not None
    assert paid.id != pushed.id
    assert paid.id == invoice_event_id(invoice, InvoiceStatus.PAID)
    assert paid.aggregate == pushed.aggregate


def test_the_invoices_change_time_is_when_the_event_occurred() -> None:
    erp = MemoryErp()
    changed = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    invoice = add_invoice(erp, "90000001", InvoiceStatus.CANCELLED)
    event = invoice_event(invoice.model_copy(update={"changed_at": changed}))
    assert event is not None
    assert event.occurred_at == changed
    assert event.type is EventType.INVOICE_STATUS_CHANGED
