"""The change-capture poller needs only its ports: the in-memory ERP and watermark store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.streams import Stream
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_watermarks import MemoryWatermarkStore

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += dt.timedelta(seconds=seconds)


async def place(erp: MemoryErp) -> str:
    draft = SalesOrderDraft(
        customer_native_id="1",
        lines=(OrderLineDraft(sku="TG11", quantity=Decimal(2), location="1010"),),
    )
    return (await erp.create_sales_order(draft)).native_id


async def test_each_change_is_staged_once_with_the_advance_of_its_watermark() -> None:
    clock = Clock()
    erp = MemoryErp("EU01")
    erp.clock = clock
    erp.add_customer("1", "Alpha GmbH")
    erp.add_product("TG11", "Gadget", "10.00", {"1010": "50"})
    clock.tick(60)
    watermarks = MemoryWatermarkStore()
    policy = ChangeCapturePolicy(enabled=True, streams=(Stream.ORDERS,))
    capture = ChangeCapturePoller("EU01", erp, watermarks, policy, clock=clock)
    replica = ChangeCapturePoller("EU01", erp, watermarks, policy, clock=clock)
    assert [r.staged for r in await capture.poll_once()] == [0]

    clock.tick()
    order = await place(erp)
    clock.tick()
    [report] = await capture.poll_once()

    assert (report.staged, report.error) == (1, None)
    [event] = watermarks.outbox.events
    assert event.data["order_id"] == f"EU01:{order}"
    assert [r.staged for r in await replica.poll_once()] == [0]
    mark = await watermarks.load("EU01", "orders")
    assert mark is not None
    assert mark.version == 2
