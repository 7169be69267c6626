"""The change-capture poller over a real state database (SQLite and PostgreSQL) and the
in-memory ERP: each change is staged once, across polls, restarts and replicas."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.change_capture.streams import Stream
from process_apis.persistence.change_capture_tables import change_capture_watermarks
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import Unavailable
from tests.fakes.memory_erp import MemoryErp

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


class Clock:
    """The time of the ERP and of the gateway, moved by the test."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def erp(clock: Clock) -> MemoryErp:
    erp = MemoryErp("EU01")
    erp.clock = clock
    erp.add_customer("1", "Alpha GmbH")
    erp.add_product("TG11", "Gadget", "10.00", {"1010": "50"})
    clock.tick(60)
    return erp


def poller(erp: MemoryErp, engine: AsyncEngine, clock: Clock, **policy: Any) -> ChangeCapturePoller:
    return ChangeCapturePoller(
        "EU01",
        erp,
        SqlWatermarkStore(engine),
        ChangeCapturePolicy(enabled=True, **policy),
        clock=clock,
    )


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def place(erp: MemoryErp, quantity: str = "2") -> str:
    draft = SalesOrderDraft(
        customer_native_id="1",
        lines=(OrderLineDraft(sku="TG11", quantity=Decimal(quantity), location="1010"),),
    )
    return (await erp.create_sales_order(draft)).native_id


async def ship_and_bill(erp: MemoryErp, order: str) -> str:
    delivery = await erp.create_delivery(order)
    await erp.post_goods_issue(delivery.native_id)
    return (await erp.create_invoice(order)).native_id


async def test_first_poll_starts_now_and_each_change_is_staged_once(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    history = await place(erp)
    clock.tick(60)
    capture = poller(erp, state_engine, clock)
    assert sum(r.staged for r in await capture.poll_once()) == 0

    clock.tick()
    order = await place(erp)
    clock.tick()
    reports = await capture.poll_once()
    assert [(r.stream, r.staged) for r in reports] == [
        (Stream.ORDERS, 1),
        (Stream.INVOICES, 0),
        (Stream.INVENTORY, 0),
    ]
    assert await staged(state_engine) == [
        (
            "order.status_changed",
            {
                "order_id": f"EU01:{order}",
                "number": order,
                "status": "ordered",
                "connection": "EU01",
                "delivery_status": "open",
                "billing_status": "not_relevant",
            },
        )
    ]
    clock.tick()
    assert sum(r.staged for r in await capture.poll_once()) == 0

    clock.tick()
    invoice = await ship_and_bill(erp, order)
    clock.tick()
    await capture.poll_once()
    clock.tick()
    erp.pay_invoice(invoice)
    clock.tick()
    await capture.poll_once()
    await capture.poll_once()
    events = await staged(state_engine)
    assert [(kind, data.get("status") or data.get("quantity")) for kind, data in events] == [
        ("order.status_changed", "ordered"),
        ("order.status_changed", "invoiced"),
        ("invoice.issued", "posted"),
        ("inventory.changed", "48"),
        ("invoice.status_changed", "paid"),
    ]
    assert all(data.get("order_id") != f"EU01:{history}" for _, data in events)


async def test_a_restarted_poller_repeats_nothing_and_misses_nothing(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    first = poller(erp, state_engine, clock)
    await first.poll_once()
    clock.tick()
    one = await place(erp)
    clock.tick()
    await first.poll_once()

    # The process dies; changes happen while nobody polls; a new process polls.
    clock.tick()
    two = await place(erp)
    await erp.adjust_stock(
        StockAdjustment(sku="TG11", location="1010", quantity=Decimal(5), reference="R1")
    )
    clock.tick()
    second = poller(erp, state_engine, clock)
    await second.poll_once()
    await second.poll_once()
    await first.poll_once()

    events = await staged(state_engine)
    assert sorted(
        (kind, data.get("order_id") or data.get("quantity")) for kind, data in events
    ) == [
        ("inventory.changed", "55"),
        ("order.status_changed", f"EU01:{one}"),
        ("order.status_changed", f"EU01:{two}"),
    ]


async def test_erp_failure_keeps_the_watermark_and_the_change_comes_later(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    capture = poller(erp, state_engine, clock, streams=[Stream.ORDERS])
    (first,) = await capture.poll_once()
    clock.tick()
    order = await place(erp)
    clock.tick(60)
    erp.fail_with["list_sales_orders"] = lambda: Unavailable("SAP is down")
    (report,) = await capture.poll_once()
    assert report.error is not None
    assert "down" in report.error
    assert report.watermark == first.watermark
    assert await staged(state_engine) == []

    del erp.fail_with["list_sales_orders"]
    (report,) = await capture.poll_once()
    assert report.staged == 1
    assert [data["order_id"] for _, data in await staged(state_engine)] == [f"EU01:{order}"]


async def test_a_late_commit_within_the_overlap_is_captured(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    capture = poller(erp, state_engine, clock, streams=[Stream.ORDERS], overlap_seconds=10)
    await capture.poll_once()
    clock.tick(5)
    late_stamp = clock.now
    clock.tick(3)
    early = await place(erp)
    await capture.poll_once()
    # An order whose transaction began before the last poll but committed after it.
    clock.now = late_stamp
    late = await place(erp)
    clock.tick(10)
    await capture.poll_once()
    await capture.poll_once()
    orders = [data["order_id"] for _, data in await staged(state_engine)]
    assert orders == [f"EU01:{early}", f"EU01:{late}"]


async def test_many_changes_at_one_instant_page_through_in_bounded_polls(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    capture = poller(erp, state_engine, clock, streams=[Stream.ORDERS], page_size=3, max_per_poll=4)
    await capture.poll_once()
    clock.tick()
    placed = {await place(erp, "1") for _ in range(11)}
    counts = []
    for _ in range(5):
        (report,) = await capture.poll_once()
        counts.append(report.staged)
    assert counts[:3] == [6, 5, 0]
    assert sum(counts) == 11
    assert {data["order_id"] for _, data in await staged(state_engine)} == {
        f"EU01:{n}" for n in placed
    }


async def test_concurrent_replicas_stage_each_change_once(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    replicas = [poller(erp, state_engine, clock) for _ in range(3)]
    await replicas[0].poll_once()
    for _ in range(4):
        clock.tick()
        await place(erp)
        await asyncio.gather(*(replica.poll_once() for replica in replicas))
    for replica in replicas:
        await replica.poll_once()
    orders = [data["order_id"] for kind, data in await staged(state_engine)]
    assert sorted(orders) == [f"EU01:{n}" for n in "1234"]


async def test_start_from_an_instant_captures_the_history_after_it(
    state_engine: AsyncEngine, erp: MemoryErp, clock: Clock
) -> None:
    await place(erp)
    clock.tick(10)
    after = await place(erp)
    clock.tick(10)
    capture = poller(
        erp, state_engine, clock, streams=[Stream.ORDERS], start=T0 + dt.timedelta(seconds=65)
    )
    (report,) = await capture.poll_once()
    assert report.staged == 1
    assert [data["order_id"] for _, data in await staged(state_engine)] == [f"EU01:{after}"]
    async with state_engine.connect() as conn:
        row = (await conn.execute(select(change_capture_watermarks))).one()
    assert (row.connection, row.stream, row.version) == ("EU01", "orders", 2)


class DegradedErp(MemoryErp):
    """Answers its orders from a copy, as a connection with degraded reads does while its
    circuit is open."""

    async def list_sales_orders(self, filter: Any, page: Any) -> Any:
        answer = await super().list_sales_orders(filter, page)
        return answer.model_copy(update={"stale_for": 30.0})


async def test_a_stale_page_is_not_taken_for_the_changes(
    state_engine: AsyncEngine, clock: Clock
) -> None:
    erp = DegradedErp("EU01")
    erp.clock = clock
    erp.add_customer("1", "Alpha GmbH")
    erp.add_product("TG11", "Gadget", "10.00", {"1010": "50"})
    clock.tick(60)
    capture = poller(erp, state_engine, clock, streams=[Stream.ORDERS])
    (first,) = await capture.poll_once()
    clock.tick()
    await place(erp)
    clock.tick()
    (report,) = await capture.poll_once()
    assert report.error is not None
    assert "30 s old" in report.error
    assert report.watermark == first.watermark
    assert await staged(state_engine) == []


class ChangingErp(MemoryErp):
    """An ERP in which an order is shipped while a poll is reading its orders."""

    during_read: str | None = None

    async def list_sales_orders(self, filter: Any, page: Any) -> Any:
        answer = await super().list_sales_orders(filter, page)
        if self.during_read is not None:
            order, self.during_read = self.during_read, None
            delivery = await self.create_delivery(order)
            await self.post_goods_issue(delivery.native_id)
        return answer


async def test_a_record_changed_during_a_poll_is_seen_by_the_next(
    state_engine: AsyncEngine, clock: Clock
) -> None:
    erp = ChangingErp("EU01")
    erp.clock = clock
    erp.add_customer("1", "Alpha GmbH")
    erp.add_product("TG11", "Gadget", "10.00", {"1010": "50"})
    clock.tick(60)
    capture = poller(erp, state_engine, clock, streams=[Stream.ORDERS])
    await capture.poll_once()
    clock.tick()
    order = await place(erp)
    clock.tick()
    erp.during_read = order
    (during,) = await capture.poll_once()
    (after,) = await capture.poll_once()
    (idle,) = await capture.poll_once()
    assert (during.staged, after.staged, idle.staged) == (1, 1, 0)
    assert [d["status"] for _, d in await staged(state_engine)] == ["ordered", "shipped"]
