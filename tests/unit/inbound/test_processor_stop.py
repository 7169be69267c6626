"""Stopping the inbound processor (the gateway shuts down) while it records finished events:
it returns only once that write is over, so nothing of it carries on after the caller has
closed the state database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence

from process_apis.connections import Connections
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, InboundStatus, SourceKind
from process_apis.inbound.port import Completion
from process_apis.inbound.processor import InboundProcessor, RetryPolicy
from process_apis.inbound.registry import InboundTypes
from process_apis.inventory_sync.flow import InventorySync
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_inbound import MemoryInboundStore
from tests.fakes.memory_quarantine import MemoryQuarantineStore

LOC = "1010/0001"


class SlowCompletions(MemoryInboundStore):
    """Holds each completing transaction open until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = asyncio.Event()
        self.release = asyncio.Event()
        self.log: list[str] = []

    async def complete_all(self, done: Sequence[Completion]) -> list[int | None]:
        self.writing.set()
        await self.release.wait()
        counts = await super().complete_all(done)
        self.log.append("written")
        return counts


async def test_a_stopped_processor_returns_after_the_write_in_flight() -> None:
    erp = MemoryErp("EU01")
    erp.add_product("TG11", "Trailer", "100", {LOC: "10"})
    connections = Connections({"EU01": erp})
    types = InboundTypes([InventorySync(connections)])
    store = SlowCompletions()
    processor = InboundProcessor(
        store, types, MemoryQuarantineStore(), policy=RetryPolicy(base_delay=dt.timedelta(0))
    )
    intake = InboundIntake(
        store, types, {"wms": InboundSource("wms", SourceKind.WMS, "EU01")}, connections.names
    )
    received = await intake.receive(
        "wms",
        "msg-1",
        {"type": "wms.goods_received", "data": {"sku": "TG11", "location": LOC, "quantity": "5"}},
    )
    running = asyncio.create_task(processor.run_periodically(interval=60))
    await store.writing.wait()

    async def release_later() -> None:
        # Many loop turns: far more than a processor that does not wait needs to return.
        for _ in range(200):
            await asyncio.sleep(0)
        store.release.set()

    releaser = asyncio.create_task(release_later())
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    store.log.append("stopped")
    await releaser

    assert store.log == ["written", "stopped"]
    kept = await store.get(received.id)
    assert kept is not None
    assert kept.status is InboundStatus.PROCESSED
    assert len(store.outbox.events) == 1


async def test_a_stop_that_arrives_with_a_notification_still_stops_the_processor() -> None:
    # Cancelled in the same turn as it is notified: Python 3.11's asyncio.wait_for returned
    # the notification and dropped the cancellation, and the processor polled on.
    connections = Connections({"EU01": MemoryErp("EU01")})
    processor = InboundProcessor(
        MemoryInboundStore(), InboundTypes([InventorySync(connections)]), MemoryQuarantineStore()
    )
    running = asyncio.create_task(processor.run_periodically(interval=60))
    await asyncio.sleep(0.05)  # idle, waiting for a notification or the next poll

    processor.notify()
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=5)

    assert done == {running}
    assert running.cancelled()
