"""Warehouse goods movements posted to the ERP once each, published as the new level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from process_apis.connections import Connections
from process_apis.errors import InvalidInput
from process_apis.events.model import EventType
from process_apis.inventory_sync.flow import InventorySync, movement_reference
from process_apis.inventory_sync.schema import GOODS_ISSUED, GOODS_RECEIVED, GoodsMovement
from system_apis.contracts import errors
from system_apis.contracts.limits import FieldLimits
from tests.fakes.memory_erp import MemoryErp
from tests.unit.inbound.conftest import RECEIVED, inbound

LOC = "1010/0001"


@pytest.fixture
def erp() -> MemoryErp:
    erp = MemoryErp()
    erp.add_product("TG11", "Trailer", "100", {LOC: "10"})
    return erp


@pytest.fixture
def sync(erp: MemoryErp) -> InventorySync:
    return InventorySync(Connections({"EU01": erp}))


async def run(sync: InventorySync, type: str, data: dict[str, object], **kw: str):  # type: ignore[no-untyped-def]
    event = inbound(type, data, **kw)
    return await sync.handle(event, GoodsMovement.model_validate(data))


async def test_goods_received_raise_stock_and_publish_the_new_level(
    sync: InventorySync, erp: MemoryErp
) -> None:
    [event] = await run(sync, GOODS_RECEIVED, {"sku": "TG11", "location": LOC, "quantity": "5"})

    assert erp.stock[("TG11", LOC)] == Decimal(15)
    assert event.type is EventType.INVENTORY_CHANGED
    assert event.aggregate == f"stock:EU01:TG11@{LOC}"
    assert event.connection == "EU01"
    assert event.occurred_at == RECEIVED
    assert event.data == {
        "connection": "EU01",
        "sku": "TG11",
        "location": LOC,
        "quantity": "15",
        "unit": "PC",
        "change": "5",
        "reason": "goods_received",
        "reference": movement_reference("wms-main", "msg_1", erp.limits),
        "inbound_event_id": "in-wms-main-msg_1",
    }


async def test_goods_issued_lower_stock(sync: InventorySync, erp: MemoryErp) -> None:
    occurred = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC)
    data = {"sku": "TG11", "location": LOC, "quantity": "2.5", "occurred_at": occurred}
    [event] = await run(sync, GOODS_ISSUED, data)

    assert erp.stock[("TG11", LOC)] == Decimal("7.5")
    assert (event.data["quantity"], event.data["change"]) == ("7.5", "-2.5")
    assert event.data["reason"] == "goods_issued"
    assert event.occurred_at == occurred


async def test_the_same_event_handled_twice_moves_stock_once(
    sync: InventorySync, erp: MemoryErp
) -> None:
    data = {"sku": "TG11", "location": LOC, "quantity": "5"}
    [first] = await run(sync, GOODS_RECEIVED, data)
    [second] = await run(sync, GOODS_RECEIVED, data)

    assert erp.stock[("TG11", LOC)] == Decimal(15)
    assert len(erp.adjustments) == 1
    assert first.id == second.id


async def test_another_webhook_id_is_another_movement(sync: InventorySync, erp: MemoryErp) -> None:
    data = {"sku": "TG11", "location": LOC, "quantity": "5"}
    [first] = await run(sync, GOODS_RECEIVED, data, webhook_id="msg_1")
    [second] = await run(sync, GOODS_RECEIVED, data, webhook_id="msg_2")

    assert erp.stock[("TG11", LOC)] == Decimal(20)
    assert first.id != second.id


def test_reference_is_short_stable_and_distinct_per_source_and_id() -> None:
    def reference(source: str, webhook_id: str) -> str:
        return movement_reference(source, webhook_id, FieldLimits())

    ref = reference("wms-main", "msg_1")
    assert ref == reference("wms-main", "msg_1")
    assert len(ref) == 25
    assert ref.startswith("WMS")
    assert ref.isalnum()
    assert ref != reference("wms-other", "msg_1")
    assert ref != reference("wms-main", "msg_2")
    # Joined naively, these two would collide.
    assert reference("a", "b:c") != reference("a:b", "c")


def test_reference_is_the_same_for_every_erp_that_holds_25_characters() -> None:
    # A retried webhook must find its movement again, whichever limit its ERP reports.
    unlimited = movement_reference("wms-main", "msg_1", FieldLimits())
    assert unlimited == "WMSY2BBLS5OF45BR4SAHTOUXM"
    assert movement_reference("wms-main", "msg_1", FieldLimits(movement_reference=25)) == unlimited
    assert movement_reference("wms-main", "msg_1", FieldLimits(movement_reference=64)) == unlimited


async def test_a_shorter_erp_field_gets_a_shorter_reference(
    sync: InventorySync, erp: MemoryErp
) -> None:
    erp.limits = FieldLimits(movement_reference=16)
    data = {"sku": "TG11", "location": LOC, "quantity": "5"}
    await run(sync, GOODS_RECEIVED, data, webhook_id="msg_1")
    await run(sync, GOODS_RECEIVED, data, webhook_id="msg_1")
    await run(sync, GOODS_RECEIVED, data, webhook_id="msg_2")

    assert [len(reference) for reference in erp.adjustments] == [16, 16]
    assert erp.stock[("TG11", LOC)] == Decimal(20)


async def test_unknown_product_is_the_erps_not_found(sync: InventorySync) -> None:
    with pytest.raises(errors.NotFound):
        await run(sync, GOODS_RECEIVED, {"sku": "NOPE", "location": LOC, "quantity": "1"})


async def test_issuing_more_than_is_there_is_refused(sync: InventorySync, erp: MemoryErp) -> None:
    with pytest.raises(errors.InsufficientStock):
        await run(sync, GOODS_ISSUED, {"sku": "TG11", "location": LOC, "quantity": "11"})
    assert erp.stock[("TG11", LOC)] == Decimal(10)


async def test_a_fraction_of_a_piece_is_refused_before_stock_moves(erp: MemoryErp) -> None:
    erp.add_product("TG12", "Hitch ball", "20", {LOC: "10"}, unit_decimals=0)
    erp.add_product("SAND", "Sand", "1", {LOC: "10"}, unit="KG", unit_decimals=3)
    sync = InventorySync(Connections({"EU01": erp}))

    with pytest.raises(InvalidInput) as caught:
        await run(sync, GOODS_ISSUED, {"sku": "TG12", "location": LOC, "quantity": "1.5"})
    assert caught.value.field == "data.quantity"
    assert str(caught.value).startswith("data.quantity: PC allows no decimals")
    assert erp.stock[("TG12", LOC)] == Decimal(10)

    await run(sync, GOODS_RECEIVED, {"sku": "SAND", "location": LOC, "quantity": "0.25"})
    assert erp.stock[("SAND", LOC)] == Decimal("10.25")
