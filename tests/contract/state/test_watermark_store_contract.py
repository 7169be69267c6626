"""The watermark store port: the fake, SQLite and PostgreSQL advance capture the same way.

What the change-capture poller relies on: a watermark comes back as it was stored, each
advance is a compare-and-set (of two pollers that read the same watermark one wins), and an
advance and the events it stages commit together or not at all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from process_apis.change_capture.port import Watermark, WatermarkConflict, WatermarkStore
from process_apis.events.model import Event, EventType
from tests.contract.state.conftest import Backend

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(backend: Backend) -> WatermarkStore:
    return backend.watermarks()


def fresh(connection: str = "EU01", stream: str = "orders") -> Watermark:
    return Watermark(connection, stream, watermark=T0, origin=T0)


def advanced(mark: Watermark, minutes: int, *seen: str) -> Watermark:
    at = T0 + dt.timedelta(minutes=minutes)
    return dataclasses.replace(mark, watermark=at, seen=dict.fromkeys(seen, at))


def change(n: int) -> Event:
    return Event(
        id=f"chg-{n}",
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate="order:EU01:1",
        connection="EU01",
    )


async def test_a_stream_has_no_watermark_before_its_first_save(store: WatermarkStore) -> None:
    assert await store.load("EU01", "orders") is None
    assert await store.list_all() == []


async def test_a_saved_watermark_comes_back_as_stored(store: WatermarkStore) -> None:
    started, staged = await store.save(fresh(), T0)
    assert (started.version, staged) == (1, 0)

    moved, _ = await store.save(advanced(started, 5, "chg-1", "chg-2"), T0)

    assert moved.version == 2
    loaded = await store.load("EU01", "orders")
    assert loaded == moved
    assert loaded is not None
    assert loaded.watermark == T0 + dt.timedelta(minutes=5)
    assert loaded.origin == T0
    assert loaded.seen == {
        "chg-1": T0 + dt.timedelta(minutes=5),
        "chg-2": T0 + dt.timedelta(minutes=5),
    }
    assert all(when.tzinfo is not None for when in loaded.seen.values())


async def test_an_advance_stages_its_events_with_it(
    backend: Backend, store: WatermarkStore
) -> None:
    started, _ = await store.save(fresh(), T0)
    await backend.stage([change(1)])

    moved, staged = await store.save(advanced(started, 5), T0, [change(1), change(2), change(2)])

    assert staged == 1
    assert moved.version == 2
    assert [e.id for e in await backend.staged()] == ["chg-1", "chg-2"]


async def test_an_advance_from_a_stale_read_is_refused_whole(
    backend: Backend, store: WatermarkStore
) -> None:
    started, _ = await store.save(fresh(), T0)
    winner, _ = await store.save(advanced(started, 5), T0, [change(1)])

    with pytest.raises(WatermarkConflict):
        await store.save(advanced(started, 9), T0, [change(2)])

    assert await store.load("EU01", "orders") == winner
    assert [e.id for e in await backend.staged()] == ["chg-1"]


async def test_a_stream_is_started_once(store: WatermarkStore) -> None:
    first, _ = await store.save(fresh(), T0)

    with pytest.raises(WatermarkConflict):
        await store.save(advanced(fresh(), 3), T0)

    assert await store.load("EU01", "orders") == first


async def test_of_two_racing_advances_exactly_one_wins(
    backend: Backend, store: WatermarkStore
) -> None:
    started, _ = await store.save(fresh(), T0)

    results = await asyncio.gather(
        store.save(advanced(started, 5), T0, [change(1)]),
        store.save(advanced(started, 6), T0, [change(2)]),
        return_exceptions=True,
    )

    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, WatermarkConflict) for r in results if isinstance(r, BaseException))
    [(won, _)] = winners
    assert await store.load("EU01", "orders") == won
    assert len(await backend.staged()) == 1


async def test_watermarks_are_listed_and_forgotten_per_connection_and_stream(
    store: WatermarkStore,
) -> None:
    for connection, stream in [("US01", "orders"), ("EU01", "orders"), ("EU01", "invoices")]:
        await store.save(fresh(connection, stream), T0)

    listed = [(m.connection, m.stream) for m in await store.list_all()]
    assert listed == [("EU01", "invoices"), ("EU01", "orders"), ("US01", "orders")]

    assert await store.forget("EU01", "orders") == 1
    assert await store.load("EU01", "orders") is None
    assert await store.load("EU01", "invoices") is not None
    assert await store.forget("EU01") == 1
    assert await store.forget("EU01") == 0
    assert [(m.connection, m.stream) for m in await store.list_all()] == [("US01", "orders")]
    restarted, _ = await store.save(fresh("EU01", "orders"), T0)
    assert restarted.version == 1
