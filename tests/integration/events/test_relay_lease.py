"""Two relays on one state database (SQLite and PostgreSQL): one publishes at a time, the
other takes over when the holder stops or dies, and every event is published in order."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.lease import DbLease
from process_apis.events.model import Event, EventType
from process_apis.events.outbox import stage
from process_apis.events.relay import RELAY_LEASE, OutboxRelay
from process_apis.events.sql_reader import SqlOutboxReader


class Sink:
    def __init__(self) -> None:
        self.received: list[str] = []
        self.first_at: dt.datetime | None = None

    async def publish(self, events: Sequence[Event]) -> None:
        self.first_at = self.first_at or dt.datetime.now(dt.UTC)
        self.received.extend(e.id for e in events)


def event(n: int) -> Event:
    return Event(
        id=f"e{n:04d}",
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate=f"order:EU01:{n % 5}",
        connection="EU01",
    )


async def stage_events(engine: AsyncEngine, numbers: range) -> None:
    async with engine.begin() as conn:
        await stage(conn, [event(n) for n in numbers])


def relay(engine: AsyncEngine, sink: Sink, holder: str, ttl: float = 1.0) -> OutboxRelay:
    lease = DbLease(engine, RELAY_LEASE, holder=holder, ttl=dt.timedelta(seconds=ttl))
    return OutboxRelay(SqlOutboxReader(engine), [sink], lease, batch_size=7, poll_interval=0.02)


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if check():
                return
            await asyncio.sleep(0.02)


async def drained(relay: OutboxRelay, seconds: float = 10.0) -> None:
    """Wait until the relay's marks are committed: what a sink got is not yet marked."""
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if not await relay.backlog():
                return
            await asyncio.sleep(0.02)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_of_racing_replicas_exactly_one_takes_the_lease(state_engine: AsyncEngine) -> None:
    leases = [DbLease(state_engine, RELAY_LEASE, holder=f"r{i}") for i in range(8)]
    won = await asyncio.gather(*(lease.acquire() for lease in leases))
    assert won.count(True) == 1
    winner = leases[won.index(True)]
    assert (await winner.current_holder() or ("", None))[0] == winner.holder
    # A second round changes nothing while the winner's lease is in force.
    assert await asyncio.gather(*(lease.acquire() for lease in leases)) == won


async def test_one_relay_publishes_and_the_other_takes_over_when_it_stops(
    state_engine: AsyncEngine,
) -> None:
    sink_a, sink_b = Sink(), Sink()
    # A lease long enough that a busy machine cannot make a miss a renewal: a clean stop
    # hands it over at once anyway.
    relay_a = relay(state_engine, sink_a, "a", ttl=10.0)
    a = asyncio.create_task(relay_a.run())
    await until(relay_a.lease.held)  # a takes the lease first
    b = asyncio.create_task(relay(state_engine, sink_b, "b", ttl=10.0).run())
    try:
        await stage_events(state_engine, range(30))
        await until(lambda: len(sink_a.received) >= 30)
        assert sink_b.received == []

        # A graceful stop records what a published (also when it comes between publishing
        # and marking a batch) and gives the lease up.
        await stop(a)
        assert await relay_a.backlog() == 0
        await stage_events(state_engine, range(30, 60))
        await until(lambda: len(sink_b.received) >= 30)
    finally:
        await stop(a)
        await stop(b)
    assert sink_a.received + sink_b.received == [f"e{n:04d}" for n in range(60)]


async def test_a_dead_holders_lease_expires_and_the_other_relay_publishes(
    state_engine: AsyncEngine,
) -> None:
    sink_dead, sink_b = Sink(), Sink()
    dead = relay(state_engine, sink_dead, "dead", ttl=3.0)
    assert await dead.run_once() == 0  # holds the lease, then never renews it
    held = await DbLease(state_engine, RELAY_LEASE, holder="observer").current_holder()
    assert held is not None
    await stage_events(state_engine, range(10))
    b = asyncio.create_task(relay(state_engine, sink_b, "b", ttl=3.0).run())
    try:
        await until(lambda: len(sink_b.received) >= 10, seconds=30)
        assert sink_b.first_at is not None
        assert sink_b.first_at >= held[1]  # not while the dead holder's lease was in force
        assert await dead.run_once() is None  # back from the dead: b holds the lease now
    finally:
        await stop(b)
    assert sink_b.received == [f"e{n:04d}" for n in range(10)]
    assert sink_dead.received == []


@pytest.mark.parametrize("batch", [1, 50])
async def test_every_event_is_published_once_in_order_by_one_relay(
    state_engine: AsyncEngine, batch: int
) -> None:
    sink = Sink()
    lease = DbLease(state_engine, RELAY_LEASE, holder="only")
    r = OutboxRelay(
        SqlOutboxReader(state_engine), [sink], lease, batch_size=batch, poll_interval=0.02
    )
    task = asyncio.create_task(r.run())
    try:
        for start in range(0, 100, 10):
            await stage_events(state_engine, range(start, start + 10))
            r.nudge()
        await until(lambda: len(sink.received) >= 100)
        await drained(r)
    finally:
        await stop(task)
    assert sink.received == [f"e{n:04d}" for n in range(100)]
    assert await r.backlog() == 0
