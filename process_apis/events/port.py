"""Ports of the event flow: recording events, handing them over, subscribing to them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
