"""Local subscribers of this process: each gets every event it asked for, in order.

Each subscriber has a bounded queue. One that falls too far behind is not slowed down
for, nor are events skipped for it: it is ended, and after the events it already holds it
gets :class:`SubscriberTooSlow`, so the client knows it must re-read and subscribe again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from types import TracebackType

from process_apis.events.model import Event, EventType


class SubscriberTooSlow(Exception):
    """The subscriber fell more than its queue's size behind and was ended."""

    def __init__(self, limit: int):
        super().__init__(
            f"the subscriber fell more than {limit} events behind and was ended; "
            "re-read the current state and subscribe again"
        )
        self.limit = limit


class SubscriptionClosed(Exception):
    """The event source shut down (the gateway is stopping)."""

    def __init__(self) -> None:
        super().__init__("the gateway is shutting down; subscribe again")


_END = object()


class Subscription:
    """An async iterator of events for one subscriber; close it (or use ``async with``).

    Iteration ends with :class:`SubscriberTooSlow` when it overflowed, with
    :class:`SubscriptionClosed` when the source shut down.
    """

    def __init__(self, fanout: LocalFanout, types: frozenset[EventType] | None, limit: int):
        self._fanout = fanout
        self.types = types
        self.limit = limit
        self._queue: asyncio.Queue[Event | object] = asyncio.Queue()
        self._pending = 0
        self._ending: Exception | None = None

    def wants(self, event: Event) -> bool:
        return self.types is None or event.type in self.types

    def offer(self, event: Event) -> None:
        if self._ending is not None:
            return
        if self._pending >= self.limit:
            self.end(SubscriberTooSlow(self.limit))
            return
        self._pending += 1
        self._queue.put_nowait(event)

    def end(self, error: Exception) -> None:
        """Stop taking events; the iterator raises ``error`` after those already queued."""
        if self._ending is None:
            self._ending = error
            self._fanout.discard(self)
            self._queue.put_nowait(_END)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        item = await self._queue.get()
        if item is _END:
            self._queue.put_nowait(_END)  # every later call ends too
            assert self._ending is not None
            if isinstance(self._ending, _Closed):
                raise StopAsyncIteration
            raise self._ending
        self._pending -= 1
        assert isinstance(item, Event)
        return item

    async def aclose(self) -> None:
        self.end(_Closed())

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class _Closed(Exception):
    """The subscriber closed its own subscription."""


class LocalFanout:
    """The subscribers of this process and the delivery of events to them."""

    def __init__(self, *, max_pending: int = 1000):
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.max_pending = max_pending
        self._subscribers: set[Subscription] = set()

    def subscribe(
        self, types: Collection[EventType] | None = None, *, max_pending: int | None = None
    ) -> Subscription:
        subscription = Subscription(
            self, None if types is None else frozenset(types), max_pending or self.max_pending
        )
        self._subscribers.add(subscription)
        return subscription

    def discard(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def deliver(self, events: Iterable[Event]) -> None:
        """Queue each event for every subscriber that wants it; never blocks."""
        for event in events:
            for subscription in list(self._subscribers):
                if subscription.wants(event):
                    subscription.offer(event)

    def close_all(self) -> None:
        for subscription in list(self._subscribers):
            subscription.end(SubscriptionClosed())
