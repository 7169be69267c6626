"""Changes made outside the gateway drop cached reads: seen by change capture, or announced
by an inbound event before its handler reads the ERP."""

from __future__ import annotations

import datetime as dt

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.streams import Stream
from process_apis.connections import Connections
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.processor import InboundProcessor
from process_apis.inbound.registry import InboundTypes
from process_apis.invoice_status.flow import InvoiceStatusSync
from system_apis.contracts.models import InvoiceStatus
from system_apis.contracts.queries import InvoiceFilter
from tests.fakes.memory_inbound import MemoryInboundStore
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_watermarks import MemoryWatermarkStore
from tests.unit.cache.support import PAGE, cached, draft
from tests.unit.inbound.conftest import add_invoice

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


async def test_an_order_changed_in_the_erp_is_read_fresh_once_change_capture_saw_it() -> None:
    c = cached()
    now = [T0]
    c.erp.clock = lambda: now[0]
    policy = ChangeCapturePolicy(enabled=True, streams=(Stream.ORDERS,))
    poller = ChangeCapturePoller(
        "EU01", c.adapter, MemoryWatermarkStore(), policy, cache=c.cache, clock=lambda: now[0]
    )
    await poller.poll_once()
    now[0] += dt.timedelta(seconds=5)
    order = await c.adapter.create_sales_order(draft())
    await poller.poll_once()
    assert (await c.adapter.get_sales_order(order.native_id)).status.value == "ordered"

    now[0] += dt.timedelta(seconds=5)
    # Shipped in the ERP, not through the gateway.
    delivery = await c.erp.create_delivery(order.native_id)
    await c.erp.post_goods_issue(delivery.native_id)
    assert (await c.adapter.get_sales_order(order.native_id)).status.value == "ordered"
    await poller.poll_once()

    assert (await c.adapter.get_sales_order(order.native_id)).status.value == "shipped"


async def test_an_invoice_notice_makes_its_handler_read_the_erp_not_the_cache() -> None:
    c = cached()
    add_invoice(c.erp, "90000001", InvoiceStatus.POSTED)
    one = InvoiceFilter(native_ids=["90000001"])
    await c.adapter.list_invoices(one, PAGE)  # cached while posted
    c.erp.pay_invoice("90000001")

    connections = Connections({"EU01": c.adapter})
    types = InboundTypes([InvoiceStatusSync(connections)])
    store = MemoryInboundStore()
    processor = InboundProcessor(store, types, MemoryQuarantineStore(), cache=c.cache)
    erp = InboundSource("erp", SourceKind.ERP, "EU01")
    intake = InboundIntake(store, types, {"erp": erp}, connections.names)
    notice = {"type": "invoice.paid", "data": {"invoice": "90000001"}}
    await intake.receive("erp", "msg-1", notice)

    report = await processor.process_due()

    assert report.processed == 1
    [event] = store.outbox.events
    assert event.data["status"] == "paid"
    assert (await c.adapter.list_invoices(one, PAGE)).items[0].status is InvoiceStatus.PAID
