"""The outbox relay over a real SQLite state file: order, failures, lease, purge, loop."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.lease import DbLease
from process_apis.events.port import StagedEvent
from process_apis.events.relay import OutboxRelay
from process_apis.events.sql_reader import SqlOutboxReader
from process_apis.persistence.tables import outbox
from tests.unit.events.conftest import Clock, RecordingSink, drained, event, staged, until


def relay(
    engine: AsyncEngine,
    *sinks: RecordingSink,
    holder: str = "a",
    clock: Clock | None = None,
    batch_size: int = 100,
) -> OutboxRelay:
    clock = clock or Clock()
    lease = DbLease(
        engine, "outbox-relay", holder=holder, ttl=dt.timedelta(seconds=10), clock=clock
    )
    return OutboxRelay(
        SqlOutboxReader(engine), list(sinks), lease, batch_size=batch_size, clock=clock
    )


async def published(engine: AsyncEngine) -> dict[str, bool]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.event_id, outbox.c.published_at))).all()
    return {row.event_id: row.published_at is not None for row in rows}


async def test_events_go_to_every_sink_in_outbox_order_in_batches(engine: AsyncEngine) -> None:
    await staged(engine, *(event(n, f"order:EU01:{n % 3}") for n in range(7)))
    first, second = RecordingSink(), RecordingSink()
    r = relay(engine, first, second, batch_size=3)

    counts = [await r.run_once() for _ in range(4)]

    assert counts == [3, 3, 1, 0]
    expected = [f"e{n}" for n in range(7)]
    assert first.received == expected
    assert second.received == expected
    assert first.batches[0] == ["e0", "e1", "e2"]
    assert all((await published(engine)).values())
    assert await r.backlog() == 0


async def test_a_failing_sink_marks_nothing_and_the_batch_comes_again(engine: AsyncEngine) -> None:
    await staged(engine, event(1), event(2))
    good, flaky = RecordingSink(), RecordingSink()
    flaky.fail_on = {"e1"}
    r = relay(engine, good, flaky)

    with pytest.raises(ConnectionError):
        await r.run_once()
    assert await published(engine) == {"e1": False, "e2": False}

    flaky.fail_on = set()
    assert await r.run_once() == 1  # the batch was halved after the failure
    assert await r.run_once() == 1
    assert flaky.received == ["e1", "e2"]
    # At-least-once: the sink before the failing one saw the first batch twice.
    assert good.received == ["e1", "e2", "e1", "e2"]
    assert all((await published(engine)).values())


async def test_a_failing_event_holds_back_later_ones_but_not_earlier_ones(
    engine: AsyncEngine,
) -> None:
    await staged(engine, *(event(n) for n in range(1, 9)))
    sink = RecordingSink()
    sink.fail_on = {"e6"}
    r = relay(engine, sink, batch_size=8)

    for _ in range(6):
        with contextlib.suppress(ConnectionError):
            await r.run_once()

    assert sink.received == ["e1", "e2", "e3", "e4", "e5"]
    state = await published(engine)
    assert [k for k, done in state.items() if done] == ["e1", "e2", "e3", "e4", "e5"]

    sink.fail_on = set()
    while await r.run_once():
        pass
    assert sink.received == [f"e{n}" for n in range(1, 9)]


async def test_only_the_lease_holder_publishes_until_its_lease_expires(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    sink_a, sink_b = RecordingSink(), RecordingSink()
    a = relay(engine, sink_a, holder="a", clock=clock)
    b = relay(engine, sink_b, holder="b", clock=clock)
    await staged(engine, event(1))

    assert await a.run_once() == 1
    await staged(engine, event(2))
    assert await b.run_once() is None  # a holds the lease
    clock.advance(9)
    assert await b.run_once() is None
    assert await a.run_once() == 1  # a renews its lease while publishing

    await staged(engine, event(3))
    clock.advance(11)  # a stopped renewing: it died
    assert await b.run_once() == 1
    assert await a.run_once() is None  # a came back: b holds it now
    assert sink_a.received == ["e1", "e2"]
    assert sink_b.received == ["e3"]
    assert (await b.lease.current_holder() or ("", None))[0] == "b"


async def test_a_released_lease_is_taken_over_at_once(engine: AsyncEngine) -> None:
    clock = Clock()
    a = relay(engine, RecordingSink(), holder="a", clock=clock)
    b = relay(engine, RecordingSink(), holder="b", clock=clock)
    assert await a.run_once() == 0
    await a.lease.release()
    assert await b.run_once() == 0


async def test_purge_deletes_published_events_past_retention_only(engine: AsyncEngine) -> None:
    clock = Clock()
    r = relay(engine, RecordingSink(), clock=clock)
    await staged(engine, event(1), event(2))
    assert await r.run_once() == 2
    clock.advance(3600)
    await staged(engine, event(3))
    assert await r.run_once() == 1
    await staged(engine, event(4))  # not published: kept however old

    assert await r.purge(clock.now + dt.timedelta(hours=23, minutes=30)) == 2
    assert await published(engine) == {"e3": True, "e4": False}


async def test_the_loop_publishes_at_once_when_nudged(engine: AsyncEngine) -> None:
    sink = RecordingSink()
    lease = DbLease(engine, "outbox-relay", holder="a")
    r = OutboxRelay(SqlOutboxReader(engine), [sink], lease, poll_interval=30)
    task = asyncio.create_task(r.run())
    try:
        await asyncio.sleep(0.2)
        await staged(engine, event(1))
        r.nudge()
        await until(lambda: sink.received == ["e1"])
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    # Stopping gives the lease up for the next replica.
    holder = await lease.current_holder()
    assert holder is not None
    assert holder[1] <= dt.datetime.now(dt.UTC)


async def test_the_loop_finds_events_of_other_processes_by_polling(engine: AsyncEngine) -> None:
    sink = RecordingSink()
    r = OutboxRelay(
        SqlOutboxReader(engine), [sink], DbLease(engine, "outbox-relay"), poll_interval=0.05
    )
    task = asyncio.create_task(r.run())
    try:
        await asyncio.sleep(0.1)
        await staged(engine, event(1), event(2))  # no nudge
        await until(lambda: sink.received == ["e1", "e2"])
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


class CountingReader(SqlOutboxReader):
    """The SQL outbox, counting how often it is asked for unpublished events."""

    checks = 0

    async def unpublished(self, limit: int, after: int | None = None) -> Sequence[StagedEvent]:
        self.checks += 1
        return await super().unpublished(limit, after)


async def test_an_idle_loop_checks_less_and_less_often(engine: AsyncEngine) -> None:
    sink = RecordingSink()
    reader = CountingReader(engine)
    lease = DbLease(engine, "outbox-relay")
    r = OutboxRelay(reader, [sink], lease, poll_interval=0.01, idle_poll_interval=0.1)
    task = asyncio.create_task(r.run())
    try:
        await asyncio.sleep(1.0)
        # At a steady 0.01 s it would have checked about 100 times; doubling the wait after
        # each empty check, up to 0.1 s, makes it 0.01 + 0.02 + 0.04 + 0.08, then 0.1 each.
        assert 3 <= reader.checks <= 15
        await staged(engine, event(1))  # no nudge: found by polling all the same
        await until(lambda: sink.received == ["e1"])
        # Events published: the next check comes after the shortest wait again.
        await staged(engine, event(2))
        await until(lambda: sink.received == ["e1", "e2"])
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_the_loop_retries_a_failing_sink_until_it_recovers(engine: AsyncEngine) -> None:
    sink = RecordingSink()
    sink.fail_on = {"e1"}
    r = OutboxRelay(
        SqlOutboxReader(engine), [sink], DbLease(engine, "outbox-relay"), poll_interval=0.02
    )
    await staged(engine, event(1), event(2))
    task = asyncio.create_task(r.run())
    try:
        await asyncio.sleep(0.2)
        assert sink.received == []
        sink.fail_on = set()
        await until(lambda: sink.received[-2:] == ["e1", "e2"])
        await drained(r)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await r.backlog() == 0


def test_bad_settings_are_refused(engine: AsyncEngine) -> None:
    lease = DbLease(engine, "outbox-relay")
    with pytest.raises(ValueError, match="batch_size"):
        OutboxRelay(SqlOutboxReader(engine), [], lease, batch_size=0)
    with pytest.raises(ValueError, match="poll_interval"):
        OutboxRelay(SqlOutboxReader(engine), [], lease, poll_interval=0)
    with pytest.raises(ValueError, match="ttl"):
        DbLease(engine, "x", ttl=dt.timedelta(0))
