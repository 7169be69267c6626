"""The processor over a real state database: each event handled once, its events staged in
the same transaction; outages retried, refusals quarantined and replayable."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from sqlalchemy import update

from process_apis.errors import InvalidInput
from process_apis.inbound.port import LeaseLost
from process_apis.inbound.processor import INBOUND_EVENT, InboundProcessor, RetryPolicy
from process_apis.inbound.replay import InboundReplayer
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.inventory_sync.flow import movement_reference
from process_apis.persistence.inbound_tables import inbound_events
from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.review import QuarantineReview
from process_apis.quarantine.sql_store import SqlQuarantineStore
from system_apis.contracts import errors
from system_apis.contracts.models import InvoiceStatus
from tests.integration.inbound.conftest import ERP_SECRET, LOC, Harness, goods_received
from tests.unit.inbound.conftest import add_invoice


async def accepted(harness: Harness, envelope: object, webhook_id: str = "msg_1") -> str:
    response = await harness.send(envelope, webhook_id=webhook_id)
    assert response.status_code == 202, response.text
    event_id: str = response.json()["id"]
    return event_id


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)


async def test_goods_received_raise_stock_and_stage_inventory_changed(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received(quantity="5"))

    report = await harness.processor.process_due()

    assert report.processed == 1
    assert harness.erp.stock[("TG11", LOC)] == Decimal(15)
    assert set(harness.erp.adjustments) == {
        movement_reference("wms-main", "msg_1", harness.erp.limits)
    }
    [event] = await harness.outbox_events()
    assert event["type"] == "inventory.changed"
    assert event["aggregate"] == f"stock:EU01:TG11@{LOC}"
    assert event["data"]["quantity"] == "15"
    assert event["data"]["inbound_event_id"] == event_id
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert stored.status.value == "processed"
    assert stored.lease_token is None
    assert harness.notified == [1]  # the relay was woken for the staged event


async def test_an_invoice_notice_stages_the_status_the_erp_holds(harness: Harness) -> None:

    add_invoice(harness.erp, "90000001", InvoiceStatus.PAID)
    notice = {"type": "invoice.paid", "data": {"invoice": "90000001", "connection": "EU01"}}
    response = await harness.send(notice, source="erp-push", secret=ERP_SECRET)
    assert response.status_code == 202
    await harness.processor.process_due()
    [event] = await harness.outbox_events()
    assert (event["type"], event["data"]["status"]) == ("invoice.status_changed", "paid")
    assert event["aggregate"] == "invoice:EU01:90000001"


async def test_two_processors_racing_handle_each_event_once(harness: Harness) -> None:
    skus = [f"TG{n}" for n in range(11, 21)]
    for sku in skus[1:]:
        harness.erp.add_product(sku, sku, "10", {LOC: "0"})
    for n, sku in enumerate(skus):
        await accepted(harness, goods_received(sku=sku, quantity="1"), webhook_id=f"msg_{n}")
    for n in range(10):  # and ten more of one SKU: one at a time, in order
        await accepted(harness, goods_received(quantity="1"), webhook_id=f"same_{n}")
    second = harness.another_processor()

    processed = 0
    for _ in range(30):
        reports = await asyncio.gather(harness.processor.process_due(), second.process_due())
        processed += sum(r.processed for r in reports)
        if processed == 20:
            break

    assert processed == 20
    assert harness.erp.calls["adjust_stock"] == 20
    assert harness.erp.stock[("TG11", LOC)] == Decimal(21)
    events = await harness.outbox_events()
    assert len(events) == 20
    levels = [e["data"]["quantity"] for e in events if e["data"]["sku"] == "TG11"]
    assert levels == [str(n) for n in range(11, 22)]


async def test_changes_of_one_record_are_applied_in_the_order_received(harness: Harness) -> None:
    await accepted(harness, goods_received(quantity="5"), webhook_id="m1")
    issue = {"type": "wms.goods_issued", "data": {"sku": "TG11", "location": LOC, "quantity": "3"}}
    await accepted(harness, issue, webhook_id="m2")
    harness.erp.add_product("TG12", "Other", "10", {LOC: "0"})
    await accepted(harness, goods_received(sku="TG12", quantity="2"), webhook_id="m3")
    patient = InboundProcessor(
        SqlInboundStore(harness.engine),
        harness.types,
        SqlQuarantineStore(harness.engine),
        policy=RetryPolicy(base_delay=dt.timedelta(minutes=1)),
    )

    # The first movement of TG11 (and the one of TG12) fails for now...
    harness.erp.fail_with["adjust_stock"] = lambda: errors.Unavailable("down")
    assert (await patient.process_due()).retried == 2
    del harness.erp.fail_with["adjust_stock"]
    # ...so the second waits behind it instead of overtaking it.
    assert (await patient.process_due()).processed == 0
    assert harness.erp.stock[("TG11", LOC)] == Decimal(10)

    async with harness.engine.begin() as conn:  # the backoff has passed
        await conn.execute(update(inbound_events).values(next_attempt_at=dt.datetime.now(dt.UTC)))
    assert (await patient.process_due()).processed == 2  # TG11's first and TG12's, together
    assert (await patient.process_due()).processed == 1  # then TG11's second

    events = [e["data"] for e in await harness.outbox_events() if e["data"]["sku"] == "TG11"]
    assert [(e["change"], e["quantity"]) for e in events] == [("5", "15"), ("-3", "12")]


async def test_a_leased_event_is_not_claimed_twice_until_the_lease_runs_out(
    harness: Harness,
) -> None:
    event_id = await accepted(harness, goods_received())
    held = await harness.store.claim(event_id, dt.timedelta(minutes=5))
    assert held is not None
    assert await harness.store.claim(event_id, dt.timedelta(minutes=5)) is None
    assert (await harness.processor.process_due()).processed == 0

    # The holder died: its lease runs out and another process finishes the event.
    async with harness.engine.begin() as conn:
        await conn.execute(
            update(inbound_events).values(lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(1))
        )
    assert (await harness.processor.process_due()).processed == 1
    # The late holder can no longer finish it: nothing is staged twice.
    with pytest.raises(LeaseLost):
        await harness.store.complete(held, [])
    assert len(await harness.outbox_events()) == 1


async def test_an_outage_is_retried_with_backoff_then_succeeds(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received())
    harness.erp.fail_with["adjust_stock"] = lambda: errors.Unavailable("SAP is down")

    report = await harness.processor.process_due()

    assert report.retried == 1
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert (stored.status.value, stored.attempts) == ("pending", 1)
    assert stored.last_error is not None
    assert "SAP is down" in stored.last_error
    assert stored.lease_until is None
    assert await harness.outbox_events() == []

    del harness.erp.fail_with["adjust_stock"]
    assert (await harness.processor.process_due()).processed == 1
    assert harness.erp.stock[("TG11", LOC)] == Decimal(15)
    assert len(await harness.outbox_events()) == 1


async def test_a_retry_waits_for_its_backoff(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received())
    harness.erp.fail_with["adjust_stock"] = lambda: errors.Throttled("429", retry_after=60)
    patient = InboundProcessor(
        SqlInboundStore(harness.engine),
        harness.types,
        SqlQuarantineStore(harness.engine),
        policy=RetryPolicy(base_delay=dt.timedelta(seconds=1)),
    )
    await patient.process_due()
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert stored.next_attempt_at >= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=55)
    del harness.erp.fail_with["adjust_stock"]
    assert (await patient.process_due()).processed == 0  # not due yet


async def test_a_lasting_outage_ends_in_quarantine(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received())
    harness.erp.fail_with["adjust_stock"] = lambda: errors.Unavailable("SAP is down")

    reports = [await harness.processor.process_due() for _ in range(3)]

    assert [r.retried for r in reports] == [1, 1, 0]
    assert reports[-1].quarantined == 1
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert stored.status.value == "quarantined"
    record = await harness.quarantine.get(stored.quarantine_id or "")
    assert record is not None
    assert record.kind == INBOUND_EVENT
    assert "gave up after 3 attempts" in record.reason
    assert (await harness.processor.process_due()).quarantined == 0


async def test_a_refusal_is_quarantined_at_once_with_the_event(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received(sku="NOPE"))

    report = await harness.processor.process_due()

    assert report.quarantined == 1
    page = await harness.quarantine.list(QuarantineFilter(kind=INBOUND_EVENT), limit=10)
    [record] = page.items
    assert record.connection == "EU01"
    assert record.idempotency_key == event_id
    assert record.payload == {
        "inbound_event_id": event_id,
        "source": "wms-main",
        "webhook_id": "msg_1",
        "type": "wms.goods_received",
        "connection": "EU01",
        "data": {"sku": "NOPE", "location": LOC, "quantity": "5"},
    }
    assert record.erp_error is not None
    assert record.erp_error.code == "NotFound"
    assert "product NOPE does not exist" in record.reason
    assert await harness.outbox_events() == []


async def test_an_operator_corrects_and_replays_a_quarantined_event(harness: Harness) -> None:
    event_id = await accepted(harness, goods_received(sku="NOPE"))
    await harness.processor.process_due()
    review = QuarantineReview(
        harness.quarantine, Replayers({INBOUND_EVENT: InboundReplayer(harness.processor)})
    )
    [record] = (await review.list(QuarantineFilter(kind=INBOUND_EVENT), limit=10)).items

    failed = await review.replay(record.id, by="ops")
    assert failed.error is not None
    assert failed.record.status is QuarantineStatus.OPEN

    corrected = dict(record.payload) | {"data": {"sku": "TG11", "location": LOC, "quantity": "5"}}
    bad = dict(corrected) | {"webhook_id": "other"}
    with pytest.raises(InvalidInput, match="webhook_id: cannot change"):
        await review.edit(record.id, bad)
    await review.edit(record.id, corrected)
    outcome = await review.replay(record.id, by="ops")

    assert outcome.error is None
    assert outcome.result == event_id
    assert outcome.record.status is QuarantineStatus.REPLAYED
    assert harness.erp.stock[("TG11", LOC)] == Decimal(15)
    [event] = await harness.outbox_events()
    assert event["data"]["inbound_event_id"] == event_id
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert stored.status.value == "processed"


async def test_a_crash_between_quarantining_and_marking_keeps_one_record(
    harness: Harness,
) -> None:
    await accepted(harness, goods_received(sku="NOPE"))
    await harness.processor.process_due()
    # As if the process died after adding the record: the event is pending again.
    async with harness.engine.begin() as conn:
        await conn.execute(update(inbound_events).values(status="pending", quarantine_id=None))
    await harness.processor.process_due()
    page = await harness.quarantine.list(QuarantineFilter(kind=INBOUND_EVENT), limit=10)
    assert page.total == 1


async def test_the_running_loop_processes_a_stored_event_at_once(harness: Harness) -> None:
    loop = asyncio.create_task(harness.processor.run_periodically(interval=60))
    try:
        await asyncio.sleep(0.2)  # the first pass ran and found nothing
        event_id = await accepted(harness, goods_received())

        async def processed() -> bool:
            stored = await harness.store.get(event_id)
            return stored is not None and stored.status.value == "processed"

        await eventually(processed)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert harness.erp.stock[("TG11", LOC)] == Decimal(15)


async def test_a_backlog_larger_than_a_batch_is_worked_off_without_waiting(
    harness: Harness,
) -> None:
    small_batches = InboundProcessor(
        SqlInboundStore(harness.engine),
        harness.types,
        SqlQuarantineStore(harness.engine),
        policy=RetryPolicy(),
        batch_size=2,
    )
    for n in range(5):
        await accepted(harness, goods_received(quantity="1"), webhook_id=f"msg_{n}")
    loop = asyncio.create_task(small_batches.run_periodically(interval=60))
    try:

        async def all_posted() -> bool:
            return harness.erp.calls["adjust_stock"] == 5

        await eventually(all_posted)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    assert harness.erp.stock[("TG11", LOC)] == Decimal(15)


async def test_an_unexpected_error_is_retried_then_quarantined_not_looped(
    harness: Harness,
) -> None:
    event_id = await accepted(harness, goods_received())
    harness.erp.fail_with["adjust_stock"] = lambda: RuntimeError("bug")

    reports = [await harness.processor.process_due() for _ in range(3)]

    assert [r.failed for r in reports] == [1, 1, 0]
    assert reports[-1].quarantined == 1
    stored = await harness.store.get(event_id)
    assert stored is not None
    assert stored.status.value == "quarantined"
    record = await harness.quarantine.get(stored.quarantine_id or "")
    assert record is not None
    assert record.reason.startswith("unexpected error (RuntimeError)")
