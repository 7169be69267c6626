"""Ports of the event flow: recording events, handing them over, subscribing to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from process_apis.events.model import Event, EventType


class EventSink(Protocol):
    """Takes the events the outbox relay publishes, in outbox order.

    Returning means the sink has them durably (a broker confirmed them, delivery rows are
    committed); raising means none are taken for sure and the relay will offer them again,
    so a sink must tolerate seeing an event twice (at-least-once).
    """

    async def publish(self, events: Sequence[Event]) -> None: ...


class Outbox(Protocol):
    """Records events of a change already written elsewhere (an ERP document); the outbox
    relay publishes them. An event whose id was recorded before is not recorded again."""

    async def append(self, events: Sequence[Event]) -> None: ...


@dataclass(frozen=True)
class StagedEvent:
    """An event in the outbox and its place there: ``seq`` grows in commit order."""

    seq: int
    event: Event
    traceparent: str | None = None
    """The trace of the request that staged it (W3C ``traceparent``), if any."""


class OutboxReader(Protocol):
    """The relay's side of the outbox: unpublished events in order, marked once published."""

    async def unpublished(self, limit: int, after: int | None = None) -> Sequence[StagedEvent]:
        """At most ``limit`` events not yet published, lowest ``seq`` first; only those
        past ``after`` when it is given (the relay's batches still being marked)."""
        ...

    async def mark_published(self, seqs: Sequence[int], at: dt.datetime) -> None:
        """Record that the events at ``seqs`` were published at ``at``; an event marked
        before keeps its first time."""
        ...

    async def purge(self, published_before: dt.datetime) -> int:
        """Delete events published before ``published_before``; returns how many."""
        ...

    async def backlog(self) -> int:
        """How many events wait to be published."""
        ...


class Lease(Protocol):
    """A named lease that one replica holds at a time (the outbox relay's)."""

    @property
    def ttl(self) -> dt.timedelta:
        """How long a renewal holds; another replica takes over after it ran out."""
        ...

    async def renew_if_due(self) -> bool:
        """Take or renew the lease when needed; True while this replica holds it."""
        ...

    async def release(self) -> None:
        """Give the lease up at once, so another replica need not wait for it to run out."""
        ...


class EventStream(Protocol):
    """One subscriber's events, in order; ``aclose`` (or leaving ``async with``) ends it.

    Iteration raises when the subscriber fell too far behind or the source shut down:
    events are never skipped silently.
    """

    def __aiter__(self) -> EventStream: ...

    async def __anext__(self) -> Event: ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> EventStream: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class EventSubscriptions(Protocol):
    """Live events for subscribers in this process (GraphQL subscriptions)."""

    def subscribe(self, types: Collection[EventType] | None = None) -> EventStream:
        """Events of ``types`` (every type when None) published from now on."""
        ...
