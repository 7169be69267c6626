"""The quarantine store contract: the in-memory fake, SQLite and PostgreSQL keep records alike.

What the review relies on: records round-trip, lists filter and page oldest first, the
newest record of an idempotency key is found, and every change that needs an open record
(editing, replaying, resolving) happens at most once and never under a live replay lease.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from process_apis.quarantine.port import (
    ErpErrorInfo,
    NewQuarantined,
    QuarantineFilter,
    QuarantineStatus,
    QuarantineStore,
)
from tests.contract.state.conftest import Backend

PAYLOAD = {
    "idempotency_key": "k-1",
    "customer_id": "EU01:100",
    "lines": [{"sku": "TG11", "quantity": "1.250", "location": None}],
}
LATER = dt.timedelta(minutes=5)


@pytest.fixture
def store(backend: Backend) -> QuarantineStore:
    return backend.quarantine()


def entry(key: str = "k-1", connection: str = "EU01", kind: str = "place_order") -> NewQuarantined:
    return NewQuarantined(
        kind=kind,
        connection=connection,
        idempotency_key=key,
        payload={**PAYLOAD, "idempotency_key": key},
        reason="the ERP could not be reached",
        erp_error=ErpErrorInfo(code="Unavailable", message="connection refused"),
    )


def soon() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + LATER


async def test_add_and_get_round_trip(store: QuarantineStore) -> None:
    added = await store.add(entry())

    got = await store.get(added.id)

    assert got == added
    assert got.payload == {**PAYLOAD}
    assert (got.status, got.attempts, got.erp_error) == (
        QuarantineStatus.OPEN,
        1,
        ErpErrorInfo(code="Unavailable", message="connection refused"),
    )
    assert got.created_at.tzinfo is not None
    assert got.resolved_at is None
    assert await store.get("00000000-0000-0000-0000-000000000000") is None


async def test_list_filters_and_pages_oldest_first(store: QuarantineStore) -> None:
    a = await store.add(entry("a"))
    b = await store.add(entry("b", connection="US01"))
    c = await store.add(entry("c"))
    await store.mark_discarded(a.id, by="ops", note="no")

    everything = await store.list(QuarantineFilter(), limit=10)
    assert [r.id for r in everything.items] == [a.id, b.id, c.id]
    page = await store.list(QuarantineFilter(status=QuarantineStatus.OPEN), limit=1, offset=1)
    assert ([r.id for r in page.items], page.total) == ([c.id], 2)
    eu = await store.list(QuarantineFilter(connection="EU01", kind="place_order"), limit=10)
    assert [r.id for r in eu.items] == [a.id, c.id]
    assert (await store.list(QuarantineFilter(kind="other"), limit=10)).total == 0


async def test_find_by_key_returns_the_newest(store: QuarantineStore) -> None:
    old = await store.add(entry())
    await store.mark_discarded(old.id, by=None, note="gone")
    new = await store.add(entry())

    found = await store.find_by_key("place_order", "EU01", "k-1")

    assert found is not None
    assert found.id == new.id
    assert await store.find_by_key("place_order", "US01", "k-1") is None


async def test_edit_only_while_open_and_not_leased(store: QuarantineStore) -> None:
    record = await store.add(entry())
    edited_payload = {**PAYLOAD, "lines": [{"sku": "TG12", "quantity": "2"}]}

    edited = await store.edit_payload(record.id, edited_payload)
    assert edited is not None
    assert edited.payload == edited_payload
    assert edited.updated_at >= record.updated_at

    await store.start_attempt(record.id, soon())
    assert await store.edit_payload(record.id, PAYLOAD) is None
    await store.record_failure(record.id, "still down", None)
    await store.mark_replayed(record.id, by="ops", result="EU01:1")
    assert await store.edit_payload(record.id, PAYLOAD) is None
    after = await store.get(record.id)
    assert after is not None
    assert after.payload == edited_payload


async def test_one_lease_at_a_time(store: QuarantineStore) -> None:
    record = await store.add(entry())

    leases = await asyncio.gather(*(store.start_attempt(record.id, soon()) for _ in range(5)))

    won = [lease for lease in leases if lease is not None]
    assert len(won) == 1
    assert won[0].attempts == 2
    assert won[0].lease_until is not None
    assert await store.mark_discarded(record.id, by=None, note="x") is None


async def test_an_expired_lease_can_be_taken_over(store: QuarantineStore) -> None:
    record = await store.add(entry())
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert await store.start_attempt(record.id, past) is not None

    again = await store.start_attempt(record.id, soon())

    assert again is not None
    assert again.attempts == 3


async def test_failure_keeps_it_open_with_the_new_error(store: QuarantineStore) -> None:
    record = await store.add(entry())
    await store.start_attempt(record.id, soon())

    failed = await store.record_failure(
        record.id, "out of stock", ErpErrorInfo(code="V1/311", message="no stock")
    )

    assert failed is not None
    assert (failed.status, failed.attempts, failed.reason) == (
        QuarantineStatus.OPEN,
        2,
        "out of stock",
    )
    assert failed.erp_error == ErpErrorInfo(code="V1/311", message="no stock")
    assert failed.lease_until is None
    cleared = await store.record_failure(record.id, "plain failure", None)
    assert cleared is not None
    assert cleared.erp_error is None


async def test_resolutions_close_the_record_once(store: QuarantineStore) -> None:
    replayed = await store.add(entry("a"))
    discarded = await store.add(entry("b"))

    done = await store.mark_replayed(replayed.id, by="cli:ops", result="EU01:42")
    gone = await store.mark_discarded(discarded.id, by="graphql", note="customer cancelled")

    assert done is not None
    assert gone is not None
    assert (done.status, done.resolved_by, done.resolution_result) == (
        QuarantineStatus.REPLAYED,
        "cli:ops",
        "EU01:42",
    )
    assert (gone.status, gone.resolution_note) == (QuarantineStatus.DISCARDED, "customer cancelled")
    assert done.resolved_at is not None
    assert done.resolved_at.tzinfo is not None
    assert await store.mark_discarded(replayed.id, by=None, note="late") is None
    assert await store.mark_replayed(discarded.id, by=None, result=None) is None
    assert await store.start_attempt(discarded.id, soon()) is None
    assert await store.record_failure(discarded.id, "x", None) is None


async def test_changes_to_an_unknown_record_change_nothing(store: QuarantineStore) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert await store.edit_payload(missing, PAYLOAD) is None
    assert await store.start_attempt(missing, soon()) is None
    assert await store.record_failure(missing, "x", None) is None
    assert await store.mark_replayed(missing, by=None, result=None) is None
    assert await store.mark_discarded(missing, by=None, note="x") is None
    assert (await store.list(QuarantineFilter(), limit=10)).total == 0


async def test_the_stored_payload_is_a_copy(store: QuarantineStore) -> None:
    lines = [{"sku": "TG11", "quantity": "1"}]
    record = await store.add(
        NewQuarantined(kind="place_order", connection="EU01", payload={"lines": lines}, reason="x")
    )
    lines[0]["sku"] = "CHANGED"  # the caller's object, changed afterwards
    got = await store.get(record.id)
    assert got is not None
    assert got.payload["lines"][0]["sku"] == "TG11"


async def test_a_page_past_the_end_is_empty_but_counts(store: QuarantineStore) -> None:
    for key in ("a", "b", "c"):
        await store.add(entry(key))
    page = await store.list(QuarantineFilter(), limit=2, offset=2)
    assert ([r.idempotency_key for r in page.items], page.total, page.offset) == (["c"], 3, 2)
    beyond = await store.list(QuarantineFilter(), limit=2, offset=5)
    assert (beyond.items, beyond.total) == ((), 3)


async def test_a_replay_holding_the_lease_can_close_the_record(store: QuarantineStore) -> None:
    record = await store.add(entry())
    assert await store.start_attempt(record.id, soon()) is not None
    assert await store.mark_discarded(record.id, by=None, note="not while replaying") is None

    done = await store.mark_replayed(record.id, by="ops", result="EU01:7", note="second try")

    assert done is not None
    assert (done.status, done.resolution_note, done.lease_until) == (
        QuarantineStatus.REPLAYED,
        "second try",
        None,
    )
    assert done.attempts == 2
    assert await store.get(record.id) == done


async def test_a_record_without_key_or_error_round_trips(store: QuarantineStore) -> None:
    added = await store.add(
        NewQuarantined(kind="inbound", connection="EU01", payload={"n": 1}, reason="bad data")
    )
    got = await store.get(added.id)
    assert got == added
    assert (got.idempotency_key, got.erp_error) == (None, None)


def pending_entry(key: str, retry_at: dt.datetime) -> NewQuarantined:
    return NewQuarantined(
        kind="place_order",
        connection="EU01",
        idempotency_key=key,
        payload={**PAYLOAD, "idempotency_key": key},
        reason="the ERP could not be reached",
        retry_at=retry_at,
    )


async def test_pending_records_come_due_earliest_first(store: QuarantineStore) -> None:
    now = dt.datetime.now(dt.UTC)
    late = await store.add(pending_entry("k-late", now + dt.timedelta(seconds=20)))
    early = await store.add(pending_entry("k-early", now + dt.timedelta(seconds=10)))
    await store.add(entry("k-review"))

    assert early.status is QuarantineStatus.PENDING
    assert early.retry_at == now + dt.timedelta(seconds=10)
    assert await store.due(now, limit=10) == ()
    due = await store.due(now + dt.timedelta(seconds=30), limit=10)
    assert [r.id for r in due] == [early.id, late.id]
    assert [r.id for r in await store.due(now + dt.timedelta(seconds=30), limit=1)] == [early.id]
    # A record under a replay's lease is not due: one retry at a time.
    assert await store.start_attempt(early.id, soon()) is not None
    assert [r.id for r in await store.due(now + dt.timedelta(seconds=30), limit=10)] == [late.id]


async def test_reschedule_keeps_it_pending_and_to_review_opens_it(
    store: QuarantineStore,
) -> None:
    now = dt.datetime.now(dt.UTC)
    record = await store.add(pending_entry("k-1", now))
    await store.start_attempt(record.id, soon())
    error = ErpErrorInfo(code="Throttled", message="slow down")

    moved = await store.reschedule(record.id, now + dt.timedelta(minutes=1), "throttled", error)
    assert moved is not None
    assert (moved.status, moved.retry_at, moved.reason, moved.erp_error, moved.lease_until) == (
        QuarantineStatus.PENDING,
        now + dt.timedelta(minutes=1),
        "throttled",
        error,
        None,
    )
    opened = await store.to_review(record.id, "the ERP refused it", None)
    assert opened is not None
    assert (opened.status, opened.retry_at, opened.reason) == (
        QuarantineStatus.OPEN,
        None,
        "the ERP refused it",
    )
    # An open record is in review: it is not rescheduled behind the reviewer's back.
    assert await store.reschedule(record.id, now, "again", None) is None
    done = await store.mark_replayed(record.id, by="op", result="EU01:1")
    assert done is not None
    assert await store.to_review(record.id, "late", None) is None
