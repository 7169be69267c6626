"""Orders the ERP could not take go into quarantine, and come out by replay or discard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from process_apis.errors import (
    ErpDetails,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    OutOfStock,
    RecordNotFound,
)
from process_apis.idempotency.port import KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.order_to_invoice.replay import OrderReplayer
from process_apis.quarantine.errors import OrderQuarantined
from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.review import QuarantineReview, ReplayProgress
from system_apis.contracts import errors as erp
from system_apis.contracts.commands import SalesOrderDraft
from system_apis.contracts.models import SalesOrder
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"})
    return fake


@pytest.fixture
def store(quarantine_store: MemoryQuarantineStore) -> MemoryQuarantineStore:
    return quarantine_store


@pytest.fixture
def flow(placing_flow: OrderToInvoice) -> OrderToInvoice:
    return placing_flow


@pytest.fixture
def review(store: MemoryQuarantineStore, flow: OrderToInvoice) -> QuarantineReview:
    return QuarantineReview(store, Replayers({PLACE_ORDER: OrderReplayer(flow)}))


def order(key: str = "k-1", quantity: str = "4") -> PlaceOrder:
    return PlaceOrder.parse(
        idempotency_key=key,
        customer_id="EU01:100",
        lines=[{"sku": "TG11", "quantity": quantity}],
    )


async def quarantined(flow: OrderToInvoice, store: MemoryQuarantineStore, key: str = "k-1") -> str:
    with pytest.raises(OrderQuarantined) as caught:
        await flow.place_order(order(key))
    assert caught.value.quarantine_id in store.records
    return caught.value.quarantine_id


def down(erp_: MemoryErp, method: str = "create_sales_order") -> None:
    erp_.fail_with[method] = lambda: erp.Unavailable("connection refused")


def lose_answers(erp_: MemoryErp) -> None:
    """Creates the order, then fails as if the answer was lost."""
    real = erp_.create_sales_order

    async def create_then_lose_answer(draft: SalesOrderDraft) -> SalesOrder:
        await real(draft)
        raise erp.UnknownOutcome("read timeout after the request was sent")

    erp_.create_sales_order = create_then_lose_answer  # type: ignore[method-assign]


# -- the flow puts orders into quarantine ------------------------------------------------


@pytest.mark.parametrize("method", ["create_sales_order", "list_customers", "list_inventory"])
async def test_outage_quarantines_the_order_with_its_reason(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
    method: str,
) -> None:
    down(erp_, method)
    record = store.records[await quarantined(flow, store)]

    assert (record.kind, record.connection, record.idempotency_key) == (
        "place_order",
        "EU01",
        "k-1",
    )
    assert record.payload == order().model_dump(mode="json")
    assert record.status is QuarantineStatus.OPEN
    assert record.attempts == 1
    assert "could not be reached" in record.reason
    assert record.erp_error is not None
    assert (record.erp_error.code, record.erp_error.message) == (
        "Unavailable",
        "connection refused",
    )
    assert erp_.orders == {}
    assert [r.state for r in keys.records.values()] == [KeyState.IN_PROGRESS]


async def test_the_client_error_names_the_quarantine_and_keeps_retry_after(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Throttled("slow down", retry_after=30)
    with pytest.raises(OrderQuarantined) as caught:
        await flow.place_order(order())
    assert caught.value.code == "ERP_UNAVAILABLE"
    assert caught.value.retry_after == 30
    assert caught.value.quarantine_id in caught.value.message


async def test_the_quarantined_answer_carries_what_the_erp_said(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Throttled(
        "slow down", code="SY/530", connection="EU01", retry_after=30
    )
    with pytest.raises(OrderQuarantined) as caught:
        await flow.place_order(order())
    assert caught.value.erp == ErpDetails(
        kind="Throttled", message="slow down", code="SY/530", connection="EU01"
    )


async def test_unresolved_unknown_outcome_is_quarantined(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.UnknownOutcome("answer lost")
    record = store.records[await quarantined(flow, store)]
    assert record.erp_error is not None
    assert record.erp_error.code == "UnknownOutcome"
    assert "could not be found by its reference" in record.reason


async def test_a_failed_look_up_after_a_lost_answer_still_reports_the_lost_answer(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    lose_answers(erp_)
    down(erp_, "list_sales_orders")
    record = store.records[await quarantined(flow, store)]
    assert record.erp_error is not None
    assert record.erp_error.code == "UnknownOutcome"


async def test_erp_messages_are_kept_without_secrets(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable(
        "HTTP 503 from https://gw:s3cret@sap.internal/odata?sap-client=100&token=abc; "
        "password=hunter2",
        code="/IWFND/CM_BEC/026",
    )
    record = store.records[await quarantined(flow, store)]
    assert record.erp_error is not None
    assert record.erp_error.code == "/IWFND/CM_BEC/026"
    for secret in ("s3cret", "abc", "hunter2", "sap-client"):
        assert secret not in record.erp_error.message
    assert "https://sap.internal/odata" in record.erp_error.message


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (order(quantity="11"), OutOfStock),
        (
            PlaceOrder.parse(idempotency_key="k", customer_id="EU01:9", lines=order().lines),
            RecordNotFound,
        ),
    ],
)
async def test_business_rejections_are_not_quarantined(
    flow: OrderToInvoice,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
    command: PlaceOrder,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await flow.place_order(command)
    assert store.records == {}
    assert keys.records == {}


async def test_erp_rejection_is_not_quarantined(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.ValidationRejected("material blocked")
    with pytest.raises(InvalidInput, match="material blocked"):
        await flow.place_order(order())
    assert store.records == {}


async def test_a_client_retry_meets_the_quarantine_not_the_erp(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    first = await quarantined(flow, store)
    del erp_.fail_with["create_sales_order"]  # back up: still, only a replay places it

    with pytest.raises(OrderQuarantined) as again:
        await flow.place_order(order())

    assert again.value.quarantine_id == first
    assert len(store.records) == 1
    assert erp_.orders == {}


# -- replay ------------------------------------------------------------------------------


async def test_replay_after_recovery_places_exactly_one_order(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    record_id = await quarantined(flow, store)
    del erp_.fail_with["create_sales_order"]

    outcome = await review.replay(record_id, by="ops")

    assert outcome.error is None
    assert outcome.order is not None
    assert len(erp_.orders) == 1
    assert outcome.record.status is QuarantineStatus.REPLAYED
    assert (outcome.record.resolved_by, outcome.record.resolution_result) == (
        "ops",
        outcome.order.id,
    )
    assert outcome.record.attempts == 2
    # The key is completed: the client's retry gets the same order, nothing new.
    assert await flow.place_order(order()) == outcome.order
    with pytest.raises(InvalidState, match="already replayed"):
        await review.replay(record_id)
    assert len(erp_.orders) == 1


async def test_replay_finds_the_order_the_lost_answer_had_created(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    lose_answers(erp_)
    down(erp_, "list_sales_orders")
    record_id = await quarantined(flow, store)
    assert len(erp_.orders) == 1  # created, though nobody could tell
    del erp_.fail_with["list_sales_orders"]

    outcome = await review.replay(record_id)

    assert outcome.order is not None
    assert outcome.order.external_reference == order().external_reference(erp_.limits)
    assert len(erp_.orders) == 1
    assert erp_.calls["create_sales_order"] == 1


async def test_a_failed_replay_stays_open_with_the_new_error(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    record_id = await quarantined(flow, store)
    erp_.fail_with["create_sales_order"] = lambda: erp.Throttled("try later", retry_after=5)

    outcome = await review.replay(record_id)

    assert isinstance(outcome.error, OrderQuarantined)
    assert outcome.error.quarantine_id == record_id
    assert outcome.error.retry_after == 5
    assert outcome.error.erp is not None
    assert (outcome.error.erp.kind, outcome.error.erp.message) == ("Throttled", "try later")
    assert outcome.record.status is QuarantineStatus.OPEN
    assert outcome.record.attempts == 2
    assert outcome.record.erp_error is not None
    assert outcome.record.erp_error.message == "try later"
    assert outcome.record.lease_until is None
    assert erp_.orders == {}


async def test_one_replay_at_a_time(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    record_id = await quarantined(flow, store)
    leased = store.records[record_id]
    await store.start_attempt(record_id, leased.created_at.replace(year=9999))

    with pytest.raises(IdempotencyConflict, match="being replayed"):
        await review.replay(record_id)
    with pytest.raises(IdempotencyConflict, match="being replayed"):
        await review.discard(record_id, "no")


async def test_replay_after_the_key_expired_looks_before_creating(
    flow: OrderToInvoice,
    review: QuarantineReview,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
) -> None:
    lose_answers(erp_)
    down(erp_, "list_sales_orders")
    record_id = await quarantined(flow, store)
    del erp_.fail_with["list_sales_orders"]
    keys.records.clear()  # past its retention

    outcome = await review.replay(record_id)

    assert outcome.order is not None
    assert len(erp_.orders) == 1


async def test_replay_all_counts_and_spares_a_connection_that_is_down(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    for key in ("a", "b", "c"):
        await quarantined(flow, store, key)

    still_down = await review.replay_all("place_order")
    assert (still_down.replayed, still_down.failed, still_down.skipped) == (0, 1, 2)
    assert erp_.calls["create_sales_order"] == 4

    del erp_.fail_with["create_sales_order"]
    recovered = await review.replay_all()
    assert (recovered.replayed, recovered.failed, recovered.skipped) == (3, 0, 0)
    assert len(erp_.orders) == 3
    with pytest.raises(InvalidInput, match="unknown kind"):
        await review.replay_all("nonsense")


async def test_replay_all_tells_where_it_stands_and_what_it_waits_on(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    for key in ("a", "b", "c"):
        await quarantined(flow, store, key)
    heard: list[ReplayProgress] = []
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    await review.replay_all(patience=5, sleep=sleep, progress=heard.append)

    waits = [p for p in heard if p.waiting_on is not None]
    assert [p.wait_seconds for p in waits] == slept != []
    assert {(p.waiting_on, p.done, p.total) for p in waits} == {("EU01", 0, 3)}
    after_each = [(p.done, p.replayed, p.failed, p.skipped) for p in heard if p not in waits]
    assert after_each == [(1, 0, 1, 0), (2, 0, 1, 1), (3, 0, 1, 2)]

    del erp_.fail_with["create_sales_order"]
    heard.clear()
    await review.replay_all(progress=heard.append)
    assert [(p.done, p.total, p.replayed, p.waiting_on) for p in heard] == [
        (1, 3, 1, None),
        (2, 3, 2, None),
        (3, 3, 3, None),
    ]


# -- edit and discard --------------------------------------------------------------------


async def open_record(flow: OrderToInvoice, erp_: MemoryErp, store: MemoryQuarantineStore) -> str:
    down(erp_)
    record_id = await quarantined(flow, store)
    del erp_.fail_with["create_sales_order"]
    return record_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "TG11", "quantity": "-1"}]}, "payload.lines.0.quantity"),
        ({"lines": [{"sku": "TG11", "quantity": "1.0001"}]}, "payload.lines.0.quantity"),
        ({"lines": []}, "payload.lines"),
        ({"colour": "red"}, "payload.colour"),
        ({"idempotency_key": "other"}, "payload.idempotency_key"),
        ({"customer_id": "US01:100"}, "payload.customer_id"),
    ],
)
async def test_a_bad_edit_is_refused_and_changes_nothing(
    flow: OrderToInvoice,
    review: QuarantineReview,
    erp_: MemoryErp,
    store: MemoryQuarantineStore,
    change: dict[str, object],
    field: str,
) -> None:
    record_id = await open_record(flow, erp_, store)
    before = store.records[record_id]

    with pytest.raises(InvalidInput) as caught:
        await review.edit(record_id, {**before.payload, **change})

    assert caught.value.field == field
    assert caught.value.message.startswith(field)
    assert store.records[record_id] == before


async def test_an_edited_order_is_the_one_replayed(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    record_id = await open_record(flow, erp_, store)
    payload = dict(store.records[record_id].payload)

    edited = await review.edit(record_id, {**payload, "lines": [{"sku": " TG11 ", "quantity": 2}]})
    assert edited.payload["lines"] == [{"sku": "TG11", "quantity": "2", "location": None}]
    outcome = await review.replay(record_id)

    assert outcome.order is not None
    assert outcome.order.lines[0].quantity.value == Decimal(2)
    # The client retrying its original request gets the order as corrected.
    assert await flow.place_order(order()) == outcome.order
    with pytest.raises(InvalidState, match="already replayed"):
        await review.edit(record_id, payload)


async def test_discard_keeps_the_key_blocked(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    record_id = await open_record(flow, erp_, store)

    record = await review.discard(record_id, "  customer cancelled by phone ", by="ops")

    assert record.status is QuarantineStatus.DISCARDED
    assert (record.resolved_by, record.resolution_note) == ("ops", "customer cancelled by phone")
    with pytest.raises(InvalidState, match="discarded in review") as caught:
        await flow.place_order(order())
    assert caught.value.field == "idempotency_key"
    assert erp_.orders == {}
    with pytest.raises(InvalidState, match="already discarded"):
        await review.replay(record_id)
    # Placing it after all takes a new key.
    assert len(erp_.orders) == 0
    await flow.place_order(order("k-2"))
    assert len(erp_.orders) == 1


async def test_discard_can_release_the_key_for_a_deliberate_resend(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    record_id = await open_record(flow, erp_, store)
    await review.discard(record_id, "client will resend", release_key=True)
    placed = await flow.place_order(order())
    assert list(erp_.orders.values()) == [placed]


async def test_discard_needs_a_note_and_an_open_record(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    record_id = await open_record(flow, erp_, store)
    with pytest.raises(InvalidInput, match="why"):
        await review.discard(record_id, "   ")
    with pytest.raises(RecordNotFound):
        await review.discard("no-such-id", "gone")
    await review.discard(record_id, "dup")
    with pytest.raises(InvalidState):
        await review.discard(record_id, "again")


async def test_list_filters_and_pages(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    ids = [await quarantined(flow, store, key) for key in ("a", "b", "c")]
    await review.discard(ids[0], "no")

    open_page = await review.list(QuarantineFilter(status=QuarantineStatus.OPEN), limit=1)
    assert open_page.total == 2
    assert [r.id for r in open_page.items] == [ids[1]]
    rest = await review.list(QuarantineFilter(connection="EU01"), limit=10, offset=1)
    assert [r.id for r in rest.items] == ids[1:]
    assert (await review.list(QuarantineFilter(connection="US01"), limit=10)).total == 0


async def test_a_released_key_answers_for_its_new_request_not_the_discarded_one(
    flow: OrderToInvoice,
    review: QuarantineReview,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
) -> None:
    record_id = await open_record(flow, erp_, store)
    await review.discard(record_id, "client will resend", release_key=True)
    # The resend is in flight on another replica when the client retries it.
    command = order()
    scope = "place_order:EU01"
    await keys.claim(scope, command.idempotency_key, command.fingerprint(), dt.timedelta(hours=1))

    with pytest.raises(IdempotencyConflict, match="being placed"):
        await flow.place_order(command)

    down(erp_)
    keys.records.clear()
    newer = await quarantined(flow, store)
    with pytest.raises(OrderQuarantined) as retry:
        await flow.place_order(command)
    assert retry.value.quarantine_id == newer != record_id


async def test_replay_all_waits_out_a_throttled_erp_and_reports_what_is_left(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    for key in ("a", "b", "c"):
        await quarantined(flow, store, key)
    throttled = iter([True, True])
    waits: list[float] = []

    def slow_down() -> Exception:
        return erp.Throttled("slow down", retry_after=7)

    erp_.fail_with["create_sales_order"] = slow_down

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if next(throttled, False) is False:
            erp_.fail_with.clear()

    summary = await review.replay_all(patience=60, sleep=sleep)

    assert (summary.replayed, summary.failed, summary.skipped, summary.left) == (3, 0, 0, 0)
    assert waits == [7, 7, 7]
    assert len(erp_.orders) == 3


async def test_replay_all_leaves_a_connection_down_past_its_patience(
    flow: OrderToInvoice, review: QuarantineReview, erp_: MemoryErp, store: MemoryQuarantineStore
) -> None:
    down(erp_)
    for key in ("a", "b"):
        await quarantined(flow, store, key)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    summary = await review.replay_all(patience=10, sleep=sleep)

    assert (summary.replayed, summary.failed, summary.skipped, summary.left) == (0, 1, 1, 2)
    assert sum(waits) <= 10
    assert waits == [1.0, 1.0, 2.0, 4.0]
