"""The inbound store port: the fake, SQLite and PostgreSQL keep events the same way.

What the processor relies on: a redelivery is recognised, due events come oldest first and
one per ordering key, a lease lets one process at a time work on an event, and finishing an
event and staging its business events happen together or not at all.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from process_apis.events.model import Event, EventType
from process_apis.inbound.model import InboundEvent, InboundStatus
from process_apis.inbound.port import Completion, InboundStore, LeaseLost, NewInbound
from tests.contract.state.conftest import Backend

LEASE = dt.timedelta(minutes=5)
EXPIRED = dt.timedelta(0)


@pytest.fixture
def store(backend: Backend) -> InboundStore:
    return backend.inbound()


async def received(
    store: InboundStore, webhook_id: str, key: str = "stock:EU01:TG11@1010/0001"
) -> InboundEvent:
    event, created = await store.add(
        source="wms-main",
        webhook_id=webhook_id,
        type="wms.goods_received",
        connection="EU01",
        ordering_key=key,
        data={"sku": "TG11", "quantity": "5"},
    )
    assert created
    return event


async def claimed(store: InboundStore, event: InboundEvent) -> InboundEvent:
    leased = await store.claim(event.id, LEASE)
    assert leased is not None
    return leased


def business_event(n: int) -> Event:
    return Event(
        id=f"evt-{n}",
        type=EventType.INVENTORY_CHANGED,
        aggregate="stock:EU01:TG11@1010/0001",
        connection="EU01",
        data={"n": n},
    )


async def test_an_event_is_kept_as_received_and_a_redelivery_is_recognised(
    store: InboundStore,
) -> None:
    event = await received(store, "msg-1")

    assert event.status is InboundStatus.PENDING
    assert (event.attempts, event.lease_until, event.quarantine_id) == (0, None, None)
    assert event.data == {"sku": "TG11", "quantity": "5"}
    assert event.received_at.tzinfo is not None
    assert await store.get(event.id) == event
    assert await store.find("wms-main", "msg-1") == event
    again, created = await store.add(
        source="wms-main",
        webhook_id="msg-1",
        type="wms.goods_received",
        connection="EU01",
        ordering_key="other",
        data={"sku": "XX"},
    )
    assert (again, created) == (event, False)
    assert await store.get("no-such-event") is None
    assert await store.find("wms-main", "msg-2") is None


async def test_due_events_come_oldest_first_one_per_ordering_key(store: InboundStore) -> None:
    first = await received(store, "msg-1", key="a")
    second_of_a = await received(store, "msg-2", key="a")
    of_b = await received(store, "msg-3", key="b")

    assert await store.due(10) == [first.id, of_b.id]
    assert await store.due(1) == [first.id]
    assert await store.due(10, now=first.received_at - dt.timedelta(seconds=1)) == []

    await store.complete(await claimed(store, first), [])
    assert await store.due(10) == [second_of_a.id, of_b.id]


async def test_a_lease_lets_one_process_work_on_an_event(store: InboundStore) -> None:
    event = await received(store, "msg-1")

    leased = await claimed(store, event)

    assert leased.attempts == 1
    assert leased.lease_token is not None
    assert leased.lease_until is not None
    assert leased.lease_until > dt.datetime.now(dt.UTC)
    assert await store.claim(event.id, LEASE) is None
    assert await store.due(10) == []


async def test_of_two_racing_claims_exactly_one_wins(store: InboundStore) -> None:
    event = await received(store, "msg-1")

    results = await asyncio.gather(*(store.claim(event.id, LEASE) for _ in range(2)))

    assert sum(result is not None for result in results) == 1
    stored = await store.get(event.id)
    assert stored is not None
    assert stored.attempts == 1


async def test_a_lease_that_ran_out_is_taken_over_and_the_first_holder_cannot_finish(
    backend: Backend, store: InboundStore
) -> None:
    event = await received(store, "msg-1")
    stale = await store.claim(event.id, EXPIRED)
    assert stale is not None
    await asyncio.sleep(0.01)

    fresh = await claimed(store, event)

    assert fresh.attempts == 2
    assert fresh.lease_token != stale.lease_token
    with pytest.raises(LeaseLost):
        await store.complete(stale, [business_event(1)])
    assert not await store.retry_later(stale, dt.datetime.now(dt.UTC), "late")
    assert not await store.quarantined(stale, "q-1", "late")
    assert await backend.staged() == []
    assert await store.get(event.id) == fresh


async def test_completing_marks_processed_and_stages_the_events_once(
    backend: Backend, store: InboundStore
) -> None:
    await backend.stage([business_event(1)])
    leased = await claimed(store, await received(store, "msg-1"))

    staged = await store.complete(leased, [business_event(1), business_event(2)])

    assert staged == 1
    assert [e.id for e in await backend.staged()] == ["evt-1", "evt-2"]
    done = await store.get(leased.id)
    assert done is not None
    assert done.status is InboundStatus.PROCESSED
    assert (done.lease_until, done.lease_token, done.last_error) == (None, None, None)
    assert done.processed_at is not None
    with pytest.raises(LeaseLost):
        await store.complete(leased, [business_event(3)])
    assert len(await backend.staged()) == 2
    assert await store.claim(leased.id, LEASE) is None


async def test_a_retry_waits_and_holds_back_the_later_events_of_its_key(
    store: InboundStore,
) -> None:
    first = await received(store, "msg-1", key="a")
    later = await received(store, "msg-2", key="a")
    leased = await claimed(store, first)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)

    assert await store.retry_later(leased, at, "the ERP is down " + "x" * 3000)

    waiting = await store.get(first.id)
    assert waiting is not None
    assert waiting.status is InboundStatus.PENDING
    assert (waiting.lease_until, waiting.lease_token) == (None, None)
    assert waiting.next_attempt_at == at
    assert waiting.last_error is not None
    assert waiting.last_error.startswith("the ERP is down")
    assert len(waiting.last_error) == 2000
    assert await store.due(10) == []
    assert await store.due(10, now=at) == [first.id]
    assert later.id not in await store.due(10, now=at)


async def test_a_quarantined_event_frees_its_key_and_completes_once_replayed(
    backend: Backend, store: InboundStore
) -> None:
    first = await received(store, "msg-1", key="a")
    later = await received(store, "msg-2", key="a")
    leased = await claimed(store, first)

    assert await store.quarantined(leased, "q-1", "the ERP refused it")

    kept = await store.get(first.id)
    assert kept is not None
    assert kept.status is InboundStatus.QUARANTINED
    assert (kept.quarantine_id, kept.last_error) == ("q-1", "the ERP refused it")
    assert await store.due(10) == [later.id]
    assert await store.claim(first.id, LEASE) is None

    assert await store.complete_replay(first.id, [business_event(1)]) == 1
    replayed = await store.get(first.id)
    assert replayed is not None
    assert replayed.status is InboundStatus.PROCESSED
    assert replayed.last_error is None
    assert await store.complete_replay(first.id, [business_event(2)]) == 0
    assert await store.complete_replay(later.id, [business_event(3)]) == 0
    assert [e.id for e in await backend.staged()] == ["evt-1"]


async def test_claiming_due_events_together_leases_each_once_oldest_first(
    store: InboundStore,
) -> None:
    first_of_a = await received(store, "msg-1", key="a")
    await received(store, "msg-2", key="a")
    of_b = await received(store, "msg-3", key="b")
    of_c = await received(store, "msg-4", key="c")

    leased = await store.claim_due(2, LEASE)

    assert [e.id for e in leased] == [first_of_a.id, of_b.id]
    assert all(e.attempts == 1 and e.lease_token is not None for e in leased)
    assert all(
        e.lease_until is not None and e.lease_until > dt.datetime.now(dt.UTC) for e in leased
    )
    assert await store.get(first_of_a.id) == leased[0]
    # The second of key a waits behind the first, which is leased: only c is left.
    assert [e.id for e in await store.claim_due(10, LEASE)] == [of_c.id]
    assert await store.claim_due(10, LEASE) == []


async def test_completing_together_finishes_those_still_leased_and_no_other(
    backend: Backend, store: InboundStore
) -> None:
    kept = await claimed(store, await received(store, "msg-1", key="a"))
    stale = await store.claim((await received(store, "msg-2", key="b")).id, EXPIRED)
    assert stale is not None
    await asyncio.sleep(0.01)
    taken_over = await claimed(store, stale)

    counts = await store.complete_all(
        [
            Completion(kept, [business_event(1), business_event(2)]),
            Completion(stale, [business_event(3)]),
        ]
    )

    assert counts == [2, None]
    assert [e.id for e in await backend.staged()] == ["evt-1", "evt-2"]
    done = await store.get(kept.id)
    assert done is not None
    assert done.status is InboundStatus.PROCESSED
    assert await store.get(stale.id) == taken_over
    assert await store.complete_all([Completion(taken_over, [business_event(1)])]) == [0]
    assert await store.complete_all([]) == []


def new_event(webhook_id: str, key: str, quantity: str = "1") -> NewInbound:
    return NewInbound(
        source="wms-main",
        webhook_id=webhook_id,
        type="wms.goods_received",
        connection="EU01",
        ordering_key=key,
        data={"sku": "TG11", "quantity": quantity},
    )


async def test_events_received_together_are_stored_once_each_in_the_order_given(
    store: InboundStore,
) -> None:
    earlier = await received(store, "msg-0", key="stock:A")
    answers = await store.add_all(
        [
            new_event("msg-1", "stock:A"),
            new_event("msg-0", "stock:B"),  # a redelivery of one stored before
            new_event("msg-2", "stock:B"),
            new_event("msg-1", "stock:C", quantity="9"),  # given twice: the first counts
            new_event("msg-3", "stock:A"),
        ]
    )

    assert [created for _, created in answers] == [True, False, True, False, True]
    assert answers[1][0] == earlier
    assert answers[3][0] == answers[0][0]
    for event, _ in answers:
        assert await store.get(event.id) == event
    stored = await store.find("wms-main", "msg-1")
    assert stored is not None
    assert (stored.ordering_key, stored.data["quantity"]) == ("stock:A", "1")
    # Per key in the order received: stock:A's msg-0, then msg-1, then msg-3.
    order = []
    for _ in range(3):
        (taken,) = [e for e in await store.claim_due(10, LEASE) if e.ordering_key == "stock:A"]
        order.append(taken.webhook_id)
        assert await store.complete_all([Completion(taken, [])]) == [0]
    assert order == ["msg-0", "msg-1", "msg-3"]
    assert await store.add_all([]) == []


async def test_replicas_storing_the_same_events_in_opposite_orders_store_each_once(
    store: InboundStore,
) -> None:
    # Two replicas, each handed the same redeliveries, group them in the order they came.
    await asyncio.gather(*(store.find("wms-main", "none") for _ in range(2)))  # two connections
    for round_ in range(5):
        batch = [new_event(f"r{round_}-msg-{n}", f"stock:{n}") for n in range(300)]

        first, second = await asyncio.gather(store.add_all(batch), store.add_all(batch[::-1]))

        assert sum(created for _, created in [*first, *second]) == len(batch)
        assert [e.id for e, _ in first] == [e.id for e, _ in second[::-1]]
