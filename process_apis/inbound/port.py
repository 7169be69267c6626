"""The inbound event store port: durable events, claimed under leases, finished once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from process_apis.events.model import Event
from process_apis.inbound.model import InboundEvent


class LeaseLost(Exception):
    """The lease on an event ended and another process may have taken it over."""


@dataclass(frozen=True)
class Completion:
    """A leased event its handler finished, and the business events it caused."""

    event: InboundEvent
    events: Sequence[Event]


@dataclass(frozen=True)
class NewInbound:
    """An event as received, before it is stored."""

    source: str
    webhook_id: str
    type: str
    connection: str
    ordering_key: str
    data: Mapping[str, Any]


class InboundStore(Protocol):
    """Inbound events shared by every replica of the gateway.

    Each change of state is atomic and conditional, so that of two processes racing for an
    event exactly one gets it, and a process whose lease ran out can no longer finish it.
    An event is due when it is pending, its next attempt is not in the future, no live
    lease holds it, and no earlier pending event has its ordering key: the changes of one
    record are processed one after the other, in the order they were received.
    """

    async def add(
        self,
        *,
        source: str,
        webhook_id: str,
        type: str,
        connection: str,
        ordering_key: str,
        data: Mapping[str, Any],
    ) -> tuple[InboundEvent, bool]:
        """Store a new pending event; returns it and True, or the stored one and False
        when ``(source, webhook_id)`` is already there."""
        ...

    async def add_all(self, new: Sequence[NewInbound]) -> list[tuple[InboundEvent, bool]]:
        """Several :meth:`add` in one transaction, received in the order given: per event
        the stored one and whether it is new. A ``(source, webhook_id)`` given twice is
        stored once, as the first."""
        ...

    async def get(self, event_id: str) -> InboundEvent | None: ...

    async def find(self, source: str, webhook_id: str) -> InboundEvent | None: ...

    async def due(self, limit: int, now: dt.datetime | None = None) -> list[str]:
        """Ids of due events, oldest first: at most one per ordering key, the earliest."""
        ...

    async def claim(self, event_id: str, lease: dt.timedelta) -> InboundEvent | None:
        """Lease a due event and count the attempt; None when it is not due (another
        process has it, or it is finished)."""
        ...

    async def claim_due(self, limit: int, lease: dt.timedelta) -> list[InboundEvent]:
        """Lease up to ``limit`` due events in one go (as :meth:`claim` each), oldest first;
        an event another process claimed meanwhile is left out."""
        ...

    async def complete_all(self, done: Sequence[Completion]) -> list[int | None]:
        """Complete several leased events in one transaction (as :meth:`complete` each): per
        event how many of its events were new, or None when its lease was lost, which leaves
        that event as it was and stages none of its events."""
        ...

    async def complete(self, event: InboundEvent, events: Sequence[Event]) -> int:
        """Mark a leased event processed and stage ``events`` in the outbox, both or neither;
        returns how many events were new. Raises LeaseLost when the lease is no longer held."""
        ...

    async def complete_replay(self, event_id: str, events: Sequence[Event]) -> int:
        """Mark a quarantined event processed (its replay succeeded) and stage ``events``,
        both or neither; an event no longer quarantined stays as it is and stages nothing."""
        ...

    async def retry_later(self, event: InboundEvent, at: dt.datetime, error: str) -> bool:
        """End the lease and wait until ``at`` before the next attempt; False when the lease
        was lost."""
        ...

    async def quarantined(self, event: InboundEvent, quarantine_id: str, error: str) -> bool:
        """Finish a leased event as quarantined under the given quarantine record; False
        when the lease was lost."""
        ...
