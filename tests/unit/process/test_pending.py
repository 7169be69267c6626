"""Orders the ERP could not take *for now* stay pending and are placed without an operator."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from process_apis.connections import Connections
from process_apis.idempotency.port import KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.quarantine.errors import OrderPending, OrderQuarantined
from process_apis.quarantine.port import QuarantinedRecord, QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.retrier import RETRIED_BY, PendingRetries, RetryReport
from process_apis.quarantine.review import QuarantineReview
from process_apis.quarantine.schedule import RetrySchedule
from process_apis.recovery import InFlightRecovery, RecoveryReport
from system_apis.contracts import errors as erp
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore

SCHEDULE = RetrySchedule(base=1, cap=60, deadline=dt.timedelta(hours=1), rng=random.Random(3))
LATER = dt.timedelta(minutes=5)


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"})
    return fake


@pytest.fixture
def flow(
    erp_: MemoryErp, keys: MemoryIdempotencyStore, quarantine_store: MemoryQuarantineStore
) -> OrderToInvoice:
    return OrderToInvoice(Connections({"EU01": erp_}), keys, quarantine_store, retries=SCHEDULE)


@pytest.fixture
def retries(quarantine_store: MemoryQuarantineStore, flow: OrderToInvoice) -> PendingRetries:
    replayers = Replayers({PLACE_ORDER: OrderReplayer(flow)})
    return PendingRetries(quarantine_store, replayers, SCHEDULE)


def order(key: str = "k-1") -> PlaceOrder:
    return PlaceOrder.parse(
        idempotency_key=key, customer_id="EU01:100", lines=[{"sku": "TG11", "quantity": "2"}]
    )


def later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + LATER


async def pending_order(flow: OrderToInvoice, erp_: MemoryErp) -> OrderPending:
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable("503 from the ERP")
    with pytest.raises(OrderPending) as raised:
        await flow.place_order(order())
    return raised.value


async def test_an_unavailable_erp_leaves_the_order_pending_not_in_review(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    quarantine_store: MemoryQuarantineStore,
) -> None:
    answer = await pending_order(flow, erp_)

    [record] = quarantine_store.records.values()
    assert record.status is QuarantineStatus.PENDING
    assert answer.quarantine_id == record.id
    assert record.retry_at is not None
    assert answer.retry_at == record.retry_at
    now = dt.datetime.now(dt.UTC)
    assert now < record.retry_at <= now + dt.timedelta(seconds=1)
    [key] = keys.records.values()
    assert key.state is KeyState.IN_PROGRESS


async def test_a_client_retry_gets_the_pending_state_and_writes_nothing(
    flow: OrderToInvoice, erp_: MemoryErp, quarantine_store: MemoryQuarantineStore
) -> None:
    first = await pending_order(flow, erp_)
    erp_.fail_with.clear()
    with pytest.raises(OrderPending) as again:
        await flow.place_order(order())

    assert again.value.quarantine_id == first.quarantine_id
    assert len(quarantine_store.records) == 1
    assert erp_.calls["create_sales_order"] == 1


async def test_the_retry_places_it_and_the_client_then_gets_the_order(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    quarantine_store: MemoryQuarantineStore,
    retries: PendingRetries,
) -> None:
    kept = await pending_order(flow, erp_)
    assert await retries.run_due() == RetryReport()  # not due yet
    erp_.fail_with.clear()

    assert await retries.run_due(later()) == RetryReport(placed=1)
    record = quarantine_store.records[kept.quarantine_id]
    assert record.status is QuarantineStatus.REPLAYED
    assert record.resolved_by == RETRIED_BY
    placed = await flow.place_order(order())
    assert record.resolution_result == placed.id
    assert len(erp_.orders) == 1
    # Completion is announced like any placed order (subscriptions, webhooks).
    assert [e.type for e in keys.events] == ["order.placed", "order.status_changed"]


async def test_an_erp_still_down_is_retried_later_with_backoff(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    quarantine_store: MemoryQuarantineStore,
    retries: PendingRetries,
) -> None:
    kept = await pending_order(flow, erp_)
    erp_.fail_with["create_sales_order"] = lambda: erp.Throttled("slow down", retry_after=90)

    assert await retries.run_due(later()) == RetryReport(rescheduled=1)
    record = quarantine_store.records[kept.quarantine_id]
    assert record.status is QuarantineStatus.PENDING
    assert record.attempts == 2
    assert record.retry_at is not None
    assert record.retry_at >= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=89)


async def test_an_outage_keeps_the_other_orders_of_the_connection_for_the_next_sweep(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    quarantine_store: MemoryQuarantineStore,
    keys: MemoryIdempotencyStore,
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable("down")
    for n in range(5):
        with pytest.raises(OrderPending):
            await flow.place_order(order(f"k-{n}"))
    one_at_a_time = PendingRetries(
        quarantine_store, Replayers({PLACE_ORDER: OrderReplayer(flow)}), SCHEDULE, concurrency=1
    )

    assert await one_at_a_time.run_due(later()) == RetryReport(rescheduled=1, skipped=4)
    assert erp_.calls["create_sales_order"] == 6
    erp_.fail_with.clear()
    report = await one_at_a_time.run_due(later() + dt.timedelta(minutes=5))
    assert report == RetryReport(placed=5)
    assert len(erp_.orders) == 5


async def test_a_refusal_of_the_data_goes_to_review_with_the_reason(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    quarantine_store: MemoryQuarantineStore,
    retries: PendingRetries,
) -> None:
    kept = await pending_order(flow, erp_)
    erp_.fail_with["create_sales_order"] = lambda: erp.ValidationRejected("plant is locked")

    assert await retries.run_due(later()) == RetryReport(to_review=1)
    record = quarantine_store.records[kept.quarantine_id]
    assert record.status is QuarantineStatus.OPEN
    assert record.retry_at is None
    assert "plant is locked" in record.reason
    with pytest.raises(OrderQuarantined) as answer:
        await flow.place_order(order())
    assert not isinstance(answer.value, OrderPending)


async def test_past_the_deadline_an_order_goes_to_review(
    erp_: MemoryErp, keys: MemoryIdempotencyStore, quarantine_store: MemoryQuarantineStore
) -> None:
    short = RetrySchedule(base=1, cap=1, deadline=dt.timedelta(microseconds=1))
    flow = OrderToInvoice(Connections({"EU01": erp_}), keys, quarantine_store, retries=short)
    kept = await pending_order(flow, erp_)
    retries = PendingRetries(quarantine_store, Replayers({PLACE_ORDER: OrderReplayer(flow)}), short)

    assert await retries.run_due(later()) == RetryReport(to_review=1)
    record: QuarantinedRecord = quarantine_store.records[kept.quarantine_id]
    assert record.status is QuarantineStatus.OPEN
    assert "deadline" in record.reason


async def test_pending_keys_are_not_stalled_claims_for_the_recovery(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    await pending_order(flow, erp_)
    recovery = InFlightRecovery(flow, in_flight_timeout=dt.timedelta(seconds=1))
    far = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)

    assert await recovery.resume_stalled(now=far) == RecoveryReport()


def test_a_schedule_backs_off_and_honours_the_erp() -> None:
    schedule = RetrySchedule(base=2, cap=10, rng=random.Random(1))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    waits = [(schedule.next_retry(n, now) - now).total_seconds() for n in (1, 2, 3, 4, 9)]
    assert 1 <= waits[0] <= 2
    assert 2 <= waits[1] <= 4
    assert 4 <= waits[2] <= 8
    assert 5 <= waits[3] <= 10
    assert 5 <= waits[4] <= 10
    assert (schedule.next_retry(1, now, retry_after=30) - now).total_seconds() == 30
    with pytest.raises(ValueError, match="0 < base <= cap"):
        RetrySchedule(base=5, cap=1)


async def test_an_operator_may_replay_a_pending_order_at_once(
    flow: OrderToInvoice, erp_: MemoryErp, quarantine_store: MemoryQuarantineStore
) -> None:
    kept = await pending_order(flow, erp_)
    erp_.fail_with.clear()
    review = QuarantineReview(quarantine_store, Replayers({PLACE_ORDER: OrderReplayer(flow)}))

    outcome = await review.replay(kept.quarantine_id, by="op")

    assert outcome.record.status is QuarantineStatus.REPLAYED
    assert outcome.order is not None
    assert len(erp_.orders) == 1
