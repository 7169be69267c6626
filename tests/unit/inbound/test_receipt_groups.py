"""Events received at once are stored in one commit, each answered as if stored alone."""

from __future__ import annotations

import asyncio

from process_apis.connections import Connections
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.registry import InboundTypes
from process_apis.inventory_sync.flow import InventorySync
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_inbound import MemoryInboundStore

LOC = "1010/0001"


def receipt(sku: str) -> dict[str, object]:
    return {"type": "wms.goods_received", "data": {"sku": sku, "location": LOC, "quantity": "5"}}


async def test_events_received_at_once_are_stored_together_in_the_order_they_came() -> None:
    connections = Connections({"EU01": MemoryErp("EU01")})
    types = InboundTypes([InventorySync(connections)])
    store = MemoryInboundStore()
    wms = InboundSource("wms-main", SourceKind.WMS, "EU01")
    intake = InboundIntake(store, types, {"wms-main": wms}, connections.names)

    first = await intake.receive("wms-main", "msg-0", receipt("TG10"))
    answers = await asyncio.gather(
        *(intake.receive("wms-main", f"msg-{n}", receipt(f"TG1{n}")) for n in range(1, 6)),
        intake.receive("wms-main", "msg-0", receipt("TG10")),
    )

    assert store.add_all_calls == 2  # the first alone, the six that came meanwhile together
    assert [a.duplicate for a in answers] == [False] * 5 + [True]
    assert answers[-1].id == first.id
    stored = [await store.get(a.id) for a in answers[:5]]
    assert [e.webhook_id for e in stored if e is not None] == [f"msg-{n}" for n in range(1, 6)]
    assert len(store.events) == 6
