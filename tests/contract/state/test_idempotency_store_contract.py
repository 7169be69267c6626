"""The idempotency store contract: the in-memory fake, SQLite and PostgreSQL keep keys alike.

What the order flow relies on: one owner per key (also under concurrent claims), a
completed key replays its response, an unfinished key can be released or taken over once
its owner died, expired keys are reusable, and events staged with a completion exist
exactly when the completion does.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from process_apis.events.model import Event, EventType
from process_apis.idempotency.port import IdempotencyStore, KeyState
from tests.contract.state.conftest import Backend

DAY = dt.timedelta(hours=24)
GONE = dt.timedelta(seconds=-1)


@pytest.fixture
def store(backend: Backend) -> IdempotencyStore:
    return backend.idempotency()


def event(n: int) -> Event:
    return Event(
        id=f"e{n}",
        type=EventType.ORDER_PLACED,
        aggregate=f"order:EU01:{n}",
        connection="EU01",
        data={"order_id": f"EU01:{n}", "net_amount": {"amount": "12.30", "currency": "EUR"}},
    )


async def test_first_claim_owns_the_key(store: IdempotencyStore) -> None:
    assert await store.claim("s", "k", "f1", DAY) is None
    existing = await store.claim("s", "k", "f2", DAY)
    assert existing is not None
    assert (existing.scope, existing.key) == ("s", "k")
    assert existing.state is KeyState.IN_PROGRESS
    assert existing.fingerprint == "f1"
    assert existing.response is None


async def test_keys_are_separate_per_scope(store: IdempotencyStore) -> None:
    assert await store.claim("place_order:EU01", "k", "f", DAY) is None
    assert await store.claim("place_order:US01", "k", "f", DAY) is None


async def test_completed_key_replays_its_response(store: IdempotencyStore) -> None:
    await store.claim("s", "k", "f1", DAY)
    await store.complete("s", "k", '{"id": "EU01:1"}')
    existing = await store.claim("s", "k", "f1", DAY)
    assert existing is not None
    assert existing.state is KeyState.COMPLETED
    assert existing.response == '{"id": "EU01:1"}'
    assert existing.created_at.tzinfo is not None
    assert existing.created_at <= existing.updated_at < existing.expires_at


async def test_concurrent_claims_have_one_winner(store: IdempotencyStore) -> None:
    results = await asyncio.gather(*(store.claim("s", "race", "f", DAY) for _ in range(8)))
    assert sum(r is None for r in results) == 1


async def test_release_frees_only_unfinished_keys(store: IdempotencyStore) -> None:
    await store.claim("s", "a", "f", DAY)
    await store.release("s", "a")
    assert await store.claim("s", "a", "f", DAY) is None
    await store.complete("s", "a", "{}")
    await store.release("s", "a")
    assert await store.claim("s", "a", "f", DAY) is not None
    await store.release("s", "never-claimed")  # nothing to forget: no error


async def test_expired_keys_are_purged_and_reusable(store: IdempotencyStore) -> None:
    await store.claim("s", "old", "f1", GONE)
    assert await store.claim("s", "old", "f2", DAY) is None
    again = await store.claim("s", "old", "f3", DAY)
    assert again is not None
    assert again.fingerprint == "f2"  # the new claim, not the expired one
    await store.claim("s", "gone", "f", GONE)
    assert await store.purge_expired() == 1
    assert await store.purge_expired() == 0
    assert await store.claim("s", "old", "f", DAY) is not None  # live keys stay


async def test_purge_counts_from_the_time_given(store: IdempotencyStore) -> None:
    await store.claim("s", "a", "f", dt.timedelta(hours=1))
    await store.claim("s", "b", "f", dt.timedelta(hours=3))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert await store.purge_expired(later) == 1
    assert await store.claim("s", "a", "f", DAY) is None
    assert await store.claim("s", "b", "f", DAY) is not None


async def test_reclaim_takes_over_only_stale_claims(store: IdempotencyStore) -> None:
    await store.claim("s", "k", "f", DAY)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert not await store.reclaim("s", "k", stale_before=past)
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)  # the claim is older than this: its owner counts as dead
    results = await asyncio.gather(*(store.reclaim("s", "k", cut) for _ in range(4)))
    assert sum(results) == 1
    assert not await store.reclaim("s", "unknown", cut)


async def test_a_completed_key_is_never_reclaimed(store: IdempotencyStore) -> None:
    await store.claim("s", "k", "f", DAY)
    await store.complete("s", "k", "{}")
    await asyncio.sleep(0.01)
    assert not await store.reclaim("s", "k", dt.datetime.now(dt.UTC))


async def test_a_claim_keeps_its_request(store: IdempotencyStore) -> None:
    assert await store.claim("s", "k", "f", DAY, request='{"order": 1}') is None
    existing = await store.claim("s", "k", "f", DAY, request='{"order": 2}')
    assert existing is not None
    assert existing.request == '{"order": 1}'


async def test_stalled_lists_abandoned_claims_with_a_request_oldest_first(
    store: IdempotencyStore,
) -> None:
    for key in ("first", "second", "third"):
        await store.claim("place_order:EU01", key, "f", DAY, request=f'"{key}"')
        await asyncio.sleep(0.01)
    await store.claim("place_order:US01", "other-connection", "f", DAY, request='"x"')
    await store.claim("place_order:EU01", "no-request", "f", DAY)
    await store.claim("place_orders_x:EU01", "other-scope", "f", DAY, request='"x"')
    await store.claim("place_order:EU01", "expired", "f", GONE, request='"x"')
    await store.claim("place_order:EU01", "done", "f", DAY, request='"x"')
    await store.complete("place_order:EU01", "done", "{}")
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)
    await store.claim("place_order:EU01", "fresh", "f", DAY, request='"x"')

    stalled = await store.stalled("place_order:", cut, limit=3)
    assert [(r.key, r.request) for r in stalled] == [
        ("first", '"first"'),
        ("second", '"second"'),
        ("third", '"third"'),
    ]
    everything = await store.stalled("place_order:", cut, limit=100)
    assert {r.key for r in everything} == {"first", "second", "third", "other-connection"}
    assert all(r.state is KeyState.IN_PROGRESS for r in everything)
    # A reclaimed claim is touched: it is no longer stalled for the same cut-off.
    assert await store.reclaim("place_order:EU01", "first", cut)
    assert [r.key for r in await store.stalled("place_order:EU01", cut, limit=1)] == ["second"]


async def test_the_scope_prefix_is_taken_literally(store: IdempotencyStore) -> None:
    # ``_`` and ``%`` are wildcards in SQL LIKE: a prefix must not match other scopes.
    await store.claim("placeXorder:EU01", "k", "f", DAY, request='"x"')
    await store.claim("place%:EU01", "k", "f", DAY, request='"x"')
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)
    assert await store.stalled("place_order:", cut, limit=10) == []
    assert [r.scope for r in await store.stalled("place%", cut, limit=10)] == ["place%:EU01"]


async def test_completing_a_key_stages_its_events_once(
    backend: Backend, store: IdempotencyStore
) -> None:
    await store.claim("place_order:EU01", "k1", "f", DAY)
    events = [event(1), event(2)]
    await store.complete("place_order:EU01", "k1", '{"id": 1}', events=events)
    # The same events again (a replay completing the key anew): nothing new.
    await store.complete("place_order:EU01", "k1", '{"id": 1}', events=[event(2), event(1)])

    assert await backend.staged() == events
    record = await store.claim("place_order:EU01", "k1", "f", DAY)
    assert record is not None
    assert record.state is KeyState.COMPLETED


async def test_a_completion_whose_events_cannot_be_stored_changes_nothing(
    backend: Backend, store: IdempotencyStore
) -> None:
    await store.claim("place_order:EU01", "k1", "f", DAY)
    loop: dict[str, object] = {}
    loop["self"] = loop
    bad = event(1).model_copy(update={"data": loop})  # cannot be stored as JSON
    with pytest.raises(ValueError, match="Circular"):
        await store.complete("place_order:EU01", "k1", '{"id": 1}', events=[event(2), bad])
    assert await backend.staged() == []
    record = await store.claim("place_order:EU01", "k1", "f", DAY)
    assert record is not None
    assert record.state is KeyState.IN_PROGRESS  # the key's completion rolled back too
