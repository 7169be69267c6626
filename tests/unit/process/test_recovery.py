"""Orders left in flight by a process that died are finished once, by the recovery sweep."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import pytest

from process_apis.connections import Connections
from process_apis.idempotency.port import KeyRecord, KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.quarantine.errors import OrderQuarantined
from process_apis.quarantine.port import QuarantineStatus
from process_apis.recovery import InFlightRecovery, RecoveryReport
from system_apis.contracts import errors as erp
from system_apis.contracts.models import SalesOrder
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore

SCOPE = "place_order:EU01"
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "100"})
    return fake


@pytest.fixture
def store(quarantine_store: MemoryQuarantineStore) -> MemoryQuarantineStore:
    return quarantine_store


@pytest.fixture
def flow(placing_flow: OrderToInvoice) -> OrderToInvoice:
    return placing_flow


@pytest.fixture
def recovery(flow: OrderToInvoice) -> InFlightRecovery:
    return InFlightRecovery(flow)


def order(key: str = "k-1") -> PlaceOrder:
    return PlaceOrder.parse(
        idempotency_key=key, customer_id="EU01:100", lines=[{"sku": "TG11", "quantity": "2"}]
    )


async def died_after_claiming(
    keys: MemoryIdempotencyStore, command: PlaceOrder, age: dt.timedelta = HOUR
) -> None:
    """What a request leaves behind when its process is killed after the claim."""
    await keys.claim(
        SCOPE, command.idempotency_key, command.fingerprint(), 24 * HOUR,
        request=command.model_dump_json(),
    )  # fmt: skip
    record = keys.records[(SCOPE, command.idempotency_key)]
    keys.records[(SCOPE, command.idempotency_key)] = dataclasses.replace(
        record, created_at=record.created_at - age, updated_at=record.updated_at - age
    )


async def created_before_dying(erp_: MemoryErp, command: PlaceOrder) -> SalesOrder:
    """The ERP took the order; the process died before it completed the key."""
    elsewhere = OrderToInvoice(
        Connections({"EU01": erp_}), MemoryIdempotencyStore(), MemoryQuarantineStore()
    )
    return await elsewhere.place_order(command)


def key_of(keys: MemoryIdempotencyStore, command: PlaceOrder) -> KeyRecord:
    return keys.records[(SCOPE, command.idempotency_key)]


async def test_an_order_the_erp_has_completes_the_key_without_a_second_create(
    recovery: InFlightRecovery, erp_: MemoryErp, keys: MemoryIdempotencyStore
) -> None:
    command = order()
    await died_after_claiming(keys, command)
    placed = await created_before_dying(erp_, command)

    report = await recovery.resume_stalled()

    assert report == RecoveryReport(resumed_found=1)
    assert erp_.calls["create_sales_order"] == 1
    record = key_of(keys, command)
    assert record.state is KeyState.COMPLETED
    assert record.response is not None
    assert SalesOrder.model_validate_json(record.response).id == placed.id


async def test_a_missing_order_is_created_once_and_a_retry_gets_it(
    recovery: InFlightRecovery,
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
) -> None:
    command = order()
    await died_after_claiming(keys, command)

    assert await recovery.resume_stalled() == RecoveryReport(resumed_created=1)
    assert await recovery.resume_stalled() == RecoveryReport()

    [created] = erp_.orders.values()
    assert created.external_reference == command.external_reference(erp_.limits)
    assert key_of(keys, command).state is KeyState.COMPLETED
    # The client's retry is answered from the key: no further write.
    assert (await flow.place_order(command)).id == created.id
    assert erp_.calls["create_sales_order"] == 1


async def test_two_concurrent_sweeps_create_the_order_once(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = order()
    await died_after_claiming(keys, command)
    listing = keys.stalled

    async def listed_by_both(*args: Any, **kwargs: Any) -> list[KeyRecord]:
        # Both replicas see the claim before either acts on it.
        found = await listing(*args, **kwargs)
        await asyncio.sleep(0.01)
        return found

    monkeypatch.setattr(keys, "stalled", listed_by_both)
    replicas = InFlightRecovery(flow), InFlightRecovery(flow)

    reports = await asyncio.gather(*(r.resume_stalled() for r in replicas))

    assert sorted(reports, key=lambda r: r.skipped) == [
        RecoveryReport(resumed_created=1),
        RecoveryReport(skipped=1),
    ]
    assert len(erp_.orders) == 1
    assert erp_.calls["create_sales_order"] == 1


async def test_a_fresh_claim_is_left_to_its_request(
    recovery: InFlightRecovery, erp_: MemoryErp, keys: MemoryIdempotencyStore
) -> None:
    command = order()
    await died_after_claiming(keys, command, age=dt.timedelta(seconds=30))

    assert await recovery.resume_stalled() == RecoveryReport()

    assert key_of(keys, command).state is KeyState.IN_PROGRESS
    assert sum(erp_.calls.values()) == 0


async def test_the_in_flight_timeout_decides_what_is_stale(
    flow: OrderToInvoice, keys: MemoryIdempotencyStore
) -> None:
    command = order()
    await died_after_claiming(keys, command, age=dt.timedelta(seconds=30))
    quick = InFlightRecovery(flow, in_flight_timeout=dt.timedelta(seconds=10))

    assert await quick.resume_stalled() == RecoveryReport(resumed_created=1)


async def test_an_erp_outage_quarantines_the_order_once(
    recovery: InFlightRecovery,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
) -> None:
    command = order()
    await died_after_claiming(keys, command)
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable("connection refused")

    assert await recovery.resume_stalled() == RecoveryReport(quarantined=1)
    [record] = store.records.values()
    assert record.status is QuarantineStatus.OPEN
    assert record.idempotency_key == command.idempotency_key
    assert PlaceOrder.model_validate(dict(record.payload)) == command
    # The key stays claimed: the quarantine owns it now, so it is no stalled claim for
    # later sweeps (which would otherwise wade through every quarantined key).
    assert key_of(keys, command).state is KeyState.IN_PROGRESS
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert await recovery.resume_stalled(now=later) == RecoveryReport()
    assert len(store.records) == 1
    assert erp_.calls["create_sales_order"] == 1


async def test_an_order_the_erp_refuses_is_kept_for_review_not_dropped(
    recovery: InFlightRecovery,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
) -> None:
    command = order()
    await died_after_claiming(keys, command)
    erp_.customers.clear()

    assert await recovery.resume_stalled() == RecoveryReport(quarantined=1)
    [record] = store.records.values()
    assert "customer" in record.reason
    assert key_of(keys, command).state is KeyState.IN_PROGRESS


async def test_a_completed_or_unkept_claim_is_not_resumed(
    recovery: InFlightRecovery, erp_: MemoryErp, keys: MemoryIdempotencyStore
) -> None:
    done, legacy = order("done"), order("legacy")
    await died_after_claiming(keys, done)
    await keys.complete(SCOPE, "done", "{}")
    await keys.claim(SCOPE, "legacy", legacy.fingerprint(), 24 * HOUR)  # no request kept
    old = keys.records[(SCOPE, "legacy")]
    keys.records[(SCOPE, "legacy")] = dataclasses.replace(old, updated_at=old.updated_at - HOUR)

    assert await recovery.resume_stalled() == RecoveryReport()
    assert sum(erp_.calls.values()) == 0


async def test_one_broken_claim_does_not_stop_the_sweep(
    recovery: InFlightRecovery, erp_: MemoryErp, keys: MemoryIdempotencyStore
) -> None:
    good = order("good")
    await died_after_claiming(keys, good)
    await died_after_claiming(keys, order("broken"), age=2 * HOUR)
    broken = keys.records[(SCOPE, "broken")]
    keys.records[(SCOPE, "broken")] = dataclasses.replace(broken, request="{not json")

    report = await recovery.resume_stalled()

    assert report == RecoveryReport(resumed_created=1, failed=1)
    assert key_of(keys, good).state is KeyState.COMPLETED


async def test_a_dead_claim_is_resumed_at_once_behind_a_large_quarantine_backlog(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    keys: MemoryIdempotencyStore,
    store: MemoryQuarantineStore,
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable("connection refused")
    for n in range(30):
        with pytest.raises(OrderQuarantined):
            await flow.place_order(order(f"backlog-{n}"))
    erp_.fail_with.clear()
    dead = order("killed")
    await died_after_claiming(keys, dead, age=dt.timedelta(0))  # the newest claim
    small_batches = InFlightRecovery(flow, batch_size=10)
    later = dt.datetime.now(dt.UTC) + HOUR  # every backlog claim is older than the timeout

    assert await small_batches.resume_stalled(now=later) == RecoveryReport(resumed_created=1)
    assert key_of(keys, dead).state is KeyState.COMPLETED
    assert len(store.records) == 30
