"""The inbound processor needs only its ports: the in-memory inbound store, quarantine and
ERP; a refused event goes to the quarantine and comes back through its replayer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from process_apis.connections import Connections
from process_apis.errors import InvalidState
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, InboundStatus, SourceKind
from process_apis.inbound.processor import INBOUND_EVENT, InboundProcessor, RetryPolicy
from process_apis.inbound.registry import InboundTypes
from process_apis.inbound.replay import InboundReplayer
from process_apis.inventory_sync.flow import InventorySync
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.quarantine.port import QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.review import QuarantineReview
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_inbound import MemoryInboundStore
from tests.fakes.memory_quarantine import MemoryQuarantineStore

LOC = "1010/0001"


async def test_an_event_is_processed_once_and_a_refused_one_replayed_from_quarantine() -> None:
    erp = MemoryErp("EU01")
    erp.add_product("TG11", "Trailer", "100", {LOC: "10"})
    connections = Connections({"EU01": erp})
    types = InboundTypes([InventorySync(connections)])
    store, quarantine = MemoryInboundStore(), MemoryQuarantineStore()
    policy = RetryPolicy(max_attempts=1, base_delay=dt.timedelta(0))
    processor = InboundProcessor(store, types, quarantine, policy=policy)
    wms = InboundSource("wms-main", SourceKind.WMS, "EU01")
    intake = InboundIntake(store, types, {"wms-main": wms}, connections.names)

    def received(sku: str) -> dict[str, object]:
        return {
            "type": "wms.goods_received",
            "data": {"sku": sku, "location": LOC, "quantity": "5"},
        }

    await intake.receive("wms-main", "msg-1", received("TG11"))
    assert (await intake.receive("wms-main", "msg-1", received("TG11"))).duplicate
    refused = await intake.receive("wms-main", "msg-2", received("NOPE"))

    report = await processor.process_due()

    assert (report.processed, report.quarantined) == (1, 1)
    assert erp.stock[("TG11", LOC)] == Decimal(15)
    assert len(store.outbox.events) == 1
    kept = await store.get(refused.id)
    assert kept is not None
    assert kept.status is InboundStatus.QUARANTINED
    [record] = quarantine.records.values()
    assert (record.kind, record.idempotency_key) == (INBOUND_EVENT, refused.id)

    review = QuarantineReview(quarantine, Replayers({INBOUND_EVENT: InboundReplayer(processor)}))
    await review.edit(record.id, dict(record.payload) | {"data": received("TG11")["data"]})
    outcome = await review.replay(record.id)

    assert (outcome.error, outcome.result) == (None, refused.id)
    assert outcome.record.status is QuarantineStatus.REPLAYED
    assert erp.stock[("TG11", LOC)] == Decimal(20)
    assert len(store.outbox.events) == 2


async def test_runs_latency_and_interventions_are_measured() -> None:
    metrics = GatewayMetrics()
    erp = MemoryErp("EU01")
    erp.add_product("TG11", "Trailer", "100", {LOC: "10"})
    connections = Connections({"EU01": erp})
    types = InboundTypes([InventorySync(connections)])
    store, quarantine = MemoryInboundStore(), MemoryQuarantineStore()
    policy = RetryPolicy(max_attempts=1, base_delay=dt.timedelta(0))
    processor = InboundProcessor(store, types, quarantine, policy=policy, observer=metrics)
    wms = InboundSource("wms-main", SourceKind.WMS, "EU01")
    intake = InboundIntake(store, types, {"wms-main": wms}, connections.names)
    for webhook_id, sku in [("msg-1", "TG11"), ("msg-2", "NOPE")]:
        data = {"sku": sku, "location": LOC, "quantity": "5"}
        await intake.receive("wms-main", webhook_id, {"type": "wms.goods_received", "data": data})

    await processor.process_due()

    value = metrics.registry.get_sample_value
    flow = {"flow": "inbound:wms.goods_received", "connection": "EU01"}
    assert value("erp_gateway_flow_runs_total", {**flow, "outcome": "processed"}) == 1
    assert value("erp_gateway_flow_runs_total", {**flow, "outcome": "quarantined"}) == 1
    latency = {"path": "inbound_to_erp", "type": "wms.goods_received", "connection": "EU01"}
    assert value("erp_gateway_data_latency_seconds_count", latency) == 1

    review = QuarantineReview(
        quarantine,
        Replayers({INBOUND_EVENT: InboundReplayer(processor)}),
        on_intervention=metrics.intervention,
    )
    [record] = quarantine.records.values()
    assert (await review.replay(record.id)).error is not None  # still an unknown product
    fixed = {"sku": "TG11", "location": LOC, "quantity": "5"}
    await review.edit(record.id, dict(record.payload) | {"data": fixed})
    await review.replay(record.id)
    with pytest.raises(InvalidState):
        await review.discard(record.id, "already replayed")

    interventions = "erp_gateway_quarantine_interventions_total"
    assert value(interventions, {"action": "replay", "outcome": "failed"}) == 1
    assert value(interventions, {"action": "edit", "outcome": "ok"}) == 1
    assert value(interventions, {"action": "replay", "outcome": "ok"}) == 1
    assert value(interventions, {"action": "discard", "outcome": "refused"}) == 1
