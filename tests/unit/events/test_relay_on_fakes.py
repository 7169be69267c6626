"""The outbox relay needs only its ports: an outbox reader, sinks and a lease."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest

from process_apis.events.relay import OutboxRelay
from tests.fakes.memory_outbox import MemoryOutbox
from tests.unit.events.conftest import Clock, RecordingSink, drained, event, until


class Held:
    """A lease this replica always holds, or never, as the test says."""

    def __init__(self, held: bool = True) -> None:
        self.is_held = held
        self.ttl = dt.timedelta(seconds=10)

    async def renew_if_due(self) -> bool:
        return self.is_held

    async def release(self) -> None:
        self.is_held = False


async def test_the_relay_publishes_in_order_marks_and_purges_through_the_reader() -> None:
    outbox = MemoryOutbox()
    outbox.stage([event(n) for n in range(5)])
    sink, clock, lease = RecordingSink(), Clock(), Held()
    relay = OutboxRelay(outbox, [sink], lease, batch_size=2, clock=clock)

    sink.fail_on = {"e1"}
    assert await relay.backlog() == 5
    with pytest.raises(ConnectionError):
        await relay.run_once()
    sink.fail_on = set()
    while await relay.run_once():
        pass

    assert sink.received == ["e0", "e1", "e2", "e3", "e4"]
    assert await relay.backlog() == 0
    clock.advance(25 * 3600)
    assert await relay.purge() == 5
    assert outbox.events == []
    lease.is_held = False
    outbox.stage([event(9)])
    assert await relay.run_once() is None
    assert sink.received[-1] == "e4"


class MarkingOnCue(MemoryOutbox):
    """An outbox whose marking waits for the test's cue, so a stop can arrive meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.marking = asyncio.Event()
        self.cue = asyncio.Event()

    async def mark_published(self, seqs: Sequence[int], at: dt.datetime) -> None:
        self.marking.set()
        await self.cue.wait()
        await super().mark_published(seqs, at)


async def test_a_stop_between_publishing_and_marking_records_the_batch_before_it_ends() -> None:
    outbox = MarkingOnCue()
    outbox.stage([event(n) for n in range(3)])
    sink, lease = RecordingSink(), Held()
    task = asyncio.create_task(OutboxRelay(outbox, [sink], lease).run())
    await asyncio.wait_for(outbox.marking.wait(), 10)
    assert sink.received == ["e0", "e1", "e2"]

    task.cancel()  # the sinks have the batch; the outbox does not know it yet
    await asyncio.sleep(0)
    outbox.cue.set()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await OutboxRelay(outbox, [sink], Held()).backlog() == 0
    assert not lease.is_held  # and the lease was given up after the mark
    assert await OutboxRelay(outbox, [sink], Held()).run_once() == 0
    assert sink.received == ["e0", "e1", "e2"]  # the next holder publishes nothing twice


async def test_the_running_relay_publishes_the_next_batch_while_the_last_is_being_marked() -> None:
    outbox = MarkingOnCue()
    outbox.stage([event(n) for n in range(2)])
    sink, lease = RecordingSink(), Held()
    relay = OutboxRelay(outbox, [sink], lease)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.wait_for(outbox.marking.wait(), 10)
        outbox.stage([event(n) for n in range(2, 4)])
        relay.nudge()
        await until(lambda: len(sink.received) == 4)
        # The first mark is still waiting, and nothing was handed over twice.
        assert sink.batches == [["e0", "e1"], ["e2", "e3"]]
        assert await relay.backlog() == 4
        outbox.cue.set()
        await drained(relay)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sink.received == ["e0", "e1", "e2", "e3"]


class FailingMarks(MemoryOutbox):
    """An outbox whose marks fail while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True

    async def mark_published(self, seqs: Sequence[int], at: dt.datetime) -> None:
        if self.down:
            raise ConnectionError("state database down")
        await super().mark_published(seqs, at)


async def test_events_whose_mark_failed_are_published_again_not_skipped() -> None:
    outbox = FailingMarks()
    outbox.stage([event(1), event(2)])
    sink = RecordingSink()
    relay = OutboxRelay(outbox, [sink], Held())

    assert await relay.run_once() == 2
    outbox.stage([event(3)])
    outbox.down = False
    while await relay.run_once():
        pass

    assert sink.received == ["e1", "e2", "e1", "e2", "e3"]  # at least once, in order
    assert await relay.backlog() == 0


async def test_a_stop_that_arrives_with_a_nudge_still_stops_the_relay() -> None:
    # Cancelled in the same turn as it is woken: Python 3.11's asyncio.wait_for returned the
    # wake-up and dropped the cancellation, and the relay polled on: the gateway never stopped.
    relay = OutboxRelay(MemoryOutbox(), [RecordingSink()], Held())
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.05)  # idle, waiting for a nudge or the next poll

    relay.nudge()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)

    assert done == {task}
    assert task.cancelled()
