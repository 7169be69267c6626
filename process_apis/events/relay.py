"""The outbox relay: publishes staged events to the event sinks, in outbox order.

Delivery is at-least-once. A batch of unpublished rows (lowest ``seq`` first) goes to every
sink in turn and is marked published only after all of them returned; when a sink fails,
nothing of the batch is marked, and the batch is offered again, halved each time, so the
events before a failing one still get through while nothing after it overtakes it (the
order of each aggregate's events holds). A sink may therefore see an event twice.

The running relay does not wait for a batch to be marked before it publishes the next: it
reads on past the last ``seq`` it handed over while the marks are written behind it (those
that pile up meanwhile in one transaction). Staging commits in ``seq`` order, so nothing can
appear behind that point later. A mark that fails sends the relay back to the first
unmarked event, which is published again (at-least-once, as above).

Of several replicas on one state database only the holder of the relay lease publishes;
the others check the lease now and then and take over when it expires. Events this
process staged wake the relay at once (:meth:`OutboxRelay.nudge`); the others are found
by polling: every ``poll_interval`` after the last event, then less and less often (twice
the wait after each poll that found nothing, up to ``idle_poll_interval``), so an idle
gateway does not wake ten times a second to query an empty outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from process_apis.events.model import Event
from process_apis.events.port import EventSink, Lease, OutboxReader
from process_apis.observability import events_traced
from process_apis.wakeups import woken

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

RELAY_LEASE = "outbox-relay"
"""Name of the lease the outbox relays of all replicas compete for."""


class OutboxRelay:
    """Moves events from the outbox to ``sinks``; ``run`` is its loop.

    ``outbox`` is what it reads and marks published; ``sinks`` is read at every batch (the
    composition root may append to the list it passed); of the replicas, only the holder of
    ``lease`` publishes. ``on_published`` is told of each batch once every sink took it
    (for metrics).
    """

    def __init__(
        self,
        outbox: OutboxReader,
        sinks: Sequence[EventSink],
        lease: Lease,
        *,
        batch_size: int = 100,
        poll_interval: float = 0.1,
        idle_poll_interval: float = 1.0,
        retention: dt.timedelta = dt.timedelta(hours=24),
        purge_interval: float = 60.0,
        max_backoff: float = 30.0,
        clock: Clock = lambda: dt.datetime.now(dt.UTC),
        on_published: Callable[[Sequence[Event]], None] | None = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if poll_interval <= 0:
            raise ValueError("poll_interval must be positive")
        self._outbox = outbox
        self._sinks = sinks
        self.lease = lease
        self._batch_size = batch_size
        self._limit = batch_size
        self._poll_interval = poll_interval
        # Never so slow that the lease would lapse between two renewals.
        ttl = lease.ttl.total_seconds()
        self._idle_poll_interval = max(poll_interval, min(idle_poll_interval, ttl / 5))
        self._retention = retention
        self._purge_interval = purge_interval
        self._max_backoff = max_backoff
        self._clock = clock
        self._on_published = on_published
        self._wake = asyncio.Event()
        self._last_purge: float | None = None
        # The last seq handed to the sinks, its mark perhaps still being written; None: read
        # from the first unpublished event. ``_epoch`` counts the times it was dropped.
        self._after: int | None = None
        self._epoch = 0
        self._to_mark: list[int] = []
        self._marker: asyncio.Task[None] | None = None

    def nudge(self) -> None:
        """Events were just committed: publish them now rather than at the next poll."""
        self._wake.set()

    async def run_once(self) -> int | None:
        """Publish one batch if this replica holds the lease: how many, None when it does not.

        Raises what a sink raised; nothing of the batch is marked published then.
        """
        published = await self._step()
        await self._marked()
        return published

    async def _step(self) -> int | None:
        """Publish one batch if this replica holds the lease; its mark may still be running."""
        if not await self.lease.renew_if_due():
            self._restart()
            return None
        return await self._publish_batch()

    async def run(self) -> None:
        """Publish until cancelled: batch after batch while rows remain, then poll."""
        backoff = 0.0
        idle = self._poll_interval
        try:
            while True:
                self._wake.clear()
                delay = self._poll_interval
                try:
                    published = await self._step()
                    if published is None:
                        delay = self._standby_interval()
                    else:
                        backoff = 0.0
                        await self._purge_if_due()
                        if published:
                            idle = self._poll_interval
                            await asyncio.sleep(0)  # let the rest of the process run
                            continue
                        delay = idle
                        idle = min(self._idle_poll_interval, idle * 2)
                except Exception:
                    backoff = min(self._max_backoff, max(self._poll_interval, backoff * 2))
                    delay = backoff
                    log.warning(
                        "outbox relay: publishing failed; retrying in %.2f s", delay, exc_info=True
                    )
                if await woken(self._wake, delay):
                    idle = self._poll_interval
        finally:
            # The sinks have what was published: a stop waits for its marks to be recorded;
            # cut off half-way, they would be published a second time by the next holder.
            with contextlib.suppress(Exception):
                await self._marked()
            with contextlib.suppress(Exception):
                await asyncio.shield(self.lease.release())

    async def purge(self, now: dt.datetime | None = None) -> int:
        """Delete published events older than the retention; returns how many."""
        return await self._outbox.purge((now or self._clock()) - self._retention)

    async def backlog(self) -> int:
        """How many events wait to be published."""
        return await self._outbox.backlog()

    async def _publish_batch(self) -> int:
        epoch = self._epoch
        staged = await self._outbox.unpublished(self._limit, self._after)
        if not staged:
            self._limit = self._batch_size
            return 0
        events = [s.event for s in staged]
        traces = {s.event.id: s.traceparent for s in staged if s.traceparent is not None}
        try:
            with events_traced(traces):
                for sink in list(self._sinks):
                    await sink.publish(events)
        except Exception:
            # Narrow down to the events before the failing one; they may pass alone.
            self._limit = max(1, len(events) // 2)
            raise
        self._limit = self._batch_size
        if epoch == self._epoch:  # else a mark failed meanwhile: read from the first again
            self._after = staged[-1].seq
        self._to_mark.extend(s.seq for s in staged)
        if self._marker is None:
            self._marker = asyncio.create_task(self._mark())
        if self._on_published is not None:
            self._on_published(events)
        return len(staged)

    async def _mark(self) -> None:
        try:
            while self._to_mark:
                seqs, self._to_mark = self._to_mark, []
                await self._outbox.mark_published(seqs, self._clock())
        except Exception:
            log.warning(
                "outbox relay: marking published events failed; they are published again",
                exc_info=True,
            )
            self._to_mark = []
            self._restart()
        finally:
            self._marker = None

    async def _marked(self) -> None:
        """Wait until every batch handed to the sinks is marked (or its mark failed)."""
        while self._marker is not None:
            await asyncio.shield(self._marker)

    def _restart(self) -> None:
        self._after = None
        self._epoch += 1

    async def _purge_if_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._last_purge is not None and now - self._last_purge < self._purge_interval:
            return
        self._last_purge = now
        purged = await self.purge()
        if purged:
            log.info("outbox relay: purged %d published events", purged)

    def _standby_interval(self) -> float:
        # Often enough to take over soon after the holder's lease expires.
        return max(self._poll_interval, self.lease.ttl.total_seconds() / 5)
