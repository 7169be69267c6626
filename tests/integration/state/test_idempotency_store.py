"""The SQL idempotency store on SQLite and on the real PostgreSQL service."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.idempotency.port import KeyState
from process_apis.idempotency.sql_store import SqlIdempotencyStore


@pytest.fixture
def store(state_engine: AsyncEngine) -> SqlIdempotencyStore:
    return SqlIdempotencyStore(state_engine)


DAY = dt.timedelta(hours=24)


async def test_first_claim_owns_the_key(store: SqlIdempotencyStore) -> None:
    assert await store.claim("s", "k", "f1", DAY) is None
    existing = await store.claim("s", "k", "f1", DAY)
    assert existing is not None
    assert existing.state is KeyState.IN_PROGRESS
    assert existing.fingerprint == "f1"


async def test_completed_key_replays_its_response(store: SqlIdempotencyStore) -> None:
    await store.claim("s", "k", "f1", DAY)
    await store.complete("s", "k", '{"id": "EU01:1"}')
    existing = await store.claim("s", "k", "f1", DAY)
    assert existing is not None
    assert existing.state is KeyState.COMPLETED
    assert existing.response == '{"id": "EU01:1"}'
    assert existing.created_at.tzinfo is not None


async def test_concurrent_claims_have_one_winner(store: SqlIdempotencyStore) -> None:
    results = await asyncio.gather(*(store.claim("s", "race", "f", DAY) for _ in range(8)))
    assert sum(r is None for r in results) == 1


async def test_release_frees_only_unfinished_keys(store: SqlIdempotencyStore) -> None:
    await store.claim("s", "a", "f", DAY)
    await store.release("s", "a")
    assert await store.claim("s", "a", "f", DAY) is None
    await store.complete("s", "a", "{}")
    await store.release("s", "a")
    assert await store.claim("s", "a", "f", DAY) is not None


async def test_expired_keys_are_purged_and_reusable(store: SqlIdempotencyStore) -> None:
    await store.claim("s", "old", "f1", dt.timedelta(seconds=-1))
    assert await store.claim("s", "old", "f2", DAY) is None
    await store.claim("s", "gone", "f", dt.timedelta(seconds=-1))
    assert await store.purge_expired() == 1


async def test_reclaim_takes_over_only_stale_claims(store: SqlIdempotencyStore) -> None:
    await store.claim("s", "k", "f", DAY)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert not await store.reclaim("s", "k", stale_before=past)
    await asyncio.sleep(0.01)
    cut = dt.datetime.now(dt.UTC)  # the claim is older than this: its owner counts as dead
    results = await asyncio.gather(*(store.reclaim("s", "k", cut) for _ in range(4)))
    assert sum(results) == 1


async def test_a_claim_keeps_its_request(store: SqlIdempotencyStore) -> None:
    assert await store.claim("s", "k", "f", DAY, request='{"order": 1}') is None
    existing = await store.claim("s", "k", "f", DAY, request='{"order": 2}')
    assert existing is not None
    assert existing.request == '{"order": 1}'


async def test_stalled_lists_abandoned_claims_with_a_request_oldest_first(
    store: SqlIdempotencyStore,
) -> None:
    for key in ("first", "second", "third"):
        await store.claim("place_order:EU01", key, "f", DAY, request=f'"{key}"')
        await asyncio.sleep(0.01)
    await store.claim("place_order:US01", "other-connection", "f", DAY, request='"x"')
    await store.claim("place_order:EU01", "no-request", "f", DAY)
    await store.claim("place_orders_x:EU01", "other-scope", "f", DAY, request='"x"')
    await store.claim("place_order:EU01", "expired", "f", dt.timedelta(seconds=-1), request='"x"')
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
