"""The running processor works on several records at once over a real state database, and
still applies the changes of each record one at a time, in the order received."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.connections import Connections
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.processor import InboundProcessor
from process_apis.inbound.registry import InboundTypes
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.inventory_sync.flow import InventorySync
from process_apis.persistence.inbound_tables import inbound_events
from process_apis.persistence.tables import outbox
from process_apis.quarantine.sql_store import SqlQuarantineStore
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.models import InventoryLevel
from tests.fakes.memory_erp import MemoryErp
from tests.integration.inbound.conftest import LOC, NO_WAIT, goods_received

SKUS = ["TG11", "TG12", "TG13", "TG14"]
PER_SKU = 10


class OverlappingErp(MemoryErp):
    """Each posting takes a few turns of the event loop, so postings overlap; records how
    many were in flight at once, in all and per SKU."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight: Counter[str] = Counter()
        self.most_at_once = 0
        self.most_per_sku = 0
        self._postings = 0

    async def adjust_stock(self, adjustment: StockAdjustment) -> InventoryLevel:
        self.in_flight[adjustment.sku] += 1
        self.most_at_once = max(self.most_at_once, self.in_flight.total())
        self.most_per_sku = max(self.most_per_sku, self.in_flight[adjustment.sku])
        self._postings += 1
        try:
            for _ in range(1 + self._postings % 4):
                await asyncio.sleep(0)
            return await super().adjust_stock(adjustment)
        finally:
            self.in_flight[adjustment.sku] -= 1


async def test_records_are_worked_on_side_by_side_each_in_the_order_received(
    state_engine: AsyncEngine,
) -> None:
    erp = OverlappingErp()
    for sku in SKUS:
        erp.add_product(sku, sku, "10", {LOC: "0"})
    types = InboundTypes([InventorySync(Connections({"EU01": erp}))])
    store = SqlInboundStore(state_engine)
    processor = InboundProcessor(
        store, types, SqlQuarantineStore(state_engine), policy=NO_WAIT, concurrency=8
    )
    wms = InboundSource("wms-main", SourceKind.WMS, "EU01")
    intake = InboundIntake(store, types, {"wms-main": wms}, ["EU01"], on_stored=processor.notify)

    async def processed() -> int:
        async with state_engine.connect() as conn:
            query = select(func.count()).where(inbound_events.c.status == "processed")
            return int((await conn.execute(query)).scalar_one())

    loop = asyncio.create_task(processor.run_periodically(interval=60))
    try:
        # The movements of the four SKUs arrive interleaved, in two waves (the second while
        # the first is handled), each wave sent at once by many senders, in this order.
        for wave in (range(PER_SKU // 2), range(PER_SKU // 2, PER_SKU)):
            await asyncio.gather(
                *(
                    intake.receive(
                        "wms-main", f"{sku}-{n}", goods_received(sku=sku, quantity=str(n + 1))
                    )
                    for n in wave
                    for sku in SKUS
                )
            )
        async with asyncio.timeout(30):
            while True:
                if await processed() == len(SKUS) * PER_SKU:
                    break
                await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop

    assert erp.calls["adjust_stock"] == len(SKUS) * PER_SKU  # each posted once
    assert erp.most_at_once > 1  # several records at a time...
    assert erp.most_per_sku == 1  # ...but never two changes of one record
    async with state_engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.data).order_by(outbox.c.seq))).scalars()
        staged = [json.loads(row) for row in rows]
    for sku in SKUS:
        changes = [(e["change"], e["quantity"]) for e in staged if e["sku"] == sku]
        totals = [sum(range(1, n + 2)) for n in range(PER_SKU)]
        assert changes == [(str(n + 1), str(totals[n])) for n in range(PER_SKU)]
        assert erp.stock[(sku, LOC)] == Decimal(totals[-1])
