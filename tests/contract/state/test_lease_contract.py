"""The relay's lease: the fake, SQLite and PostgreSQL let one replica hold it at a time."""

from __future__ import annotations

import asyncio
import datetime as dt

from tests.contract.state.conftest import Backend

TTL = dt.timedelta(seconds=10)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


async def test_one_holder_at_a_time_and_a_take_over_once_it_runs_out(backend: Backend) -> None:
    clock = Clock()
    a = backend.lease("relay", "a", TTL, clock)
    b = backend.lease("relay", "b", TTL, clock)

    assert await a.acquire()
    assert await a.acquire()  # renewing what it holds
    assert not await b.acquire()
    assert a.held()
    assert not b.held()
    assert await b.current_holder() == ("a", clock.now + TTL)

    clock.advance(TTL + dt.timedelta(seconds=1))
    assert not a.held()
    assert await b.renew_if_due()
    assert not await a.acquire()
    holder = await a.current_holder()
    assert holder is not None
    assert holder[0] == "b"


async def test_a_released_lease_is_free_at_once(backend: Backend) -> None:
    clock = Clock()
    a = backend.lease("relay", "a", TTL, clock)
    b = backend.lease("relay", "b", TTL, clock)
    assert await a.acquire()

    await a.release()

    assert not a.held()
    assert await b.acquire()
    assert not await a.renew_if_due()


async def test_leases_of_other_names_do_not_compete(backend: Backend) -> None:
    clock = Clock()

    assert await backend.lease("relay", "a", TTL, clock).acquire()
    assert await backend.lease("other", "b", TTL, clock).acquire()


async def test_of_two_replicas_racing_for_a_new_lease_exactly_one_wins(backend: Backend) -> None:
    clock = Clock()
    a = backend.lease("relay", "a", TTL, clock)
    b = backend.lease("relay", "b", TTL, clock)

    won = await asyncio.gather(a.acquire(), b.acquire())

    assert sorted(won) == [False, True]
    holder = await a.current_holder()
    assert holder is not None
    assert holder[0] == ("a" if won[0] else "b")
