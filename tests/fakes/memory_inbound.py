"""Inbound events in a dict, with the same conditional changes as the SQL store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from process_apis.events.model import Event
from process_apis.inbound.model import InboundEvent, InboundStatus
from process_apis.inbound.port import Completion, LeaseLost, NewInbound
from tests.fakes.memory_outbox import MemoryOutbox

MAX_ERROR = 2000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MemoryInboundStore:
    """``outbox`` receives the events a completed event stages."""

    def __init__(self, outbox: MemoryOutbox | None = None) -> None:
        self.events: dict[str, InboundEvent] = {}
        self.outbox = outbox if outbox is not None else MemoryOutbox()
        self.add_all_calls = 0
        """Transactions :meth:`add_all` was asked for (to see receipts grouped)."""

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
        existing = await self.find(source, webhook_id)
        if existing is not None:
            return existing, False
        now = _now()
        event = InboundEvent(
            id=str(uuid.uuid4()),
            source=source,
            webhook_id=webhook_id,
            type=type,
            connection=connection,
            data=dict(data),
            ordering_key=ordering_key,
            status=InboundStatus.PENDING,
            attempts=0,
            received_at=now,
            next_attempt_at=now,
        )
        self.events[event.id] = event
        return event, True

    async def add_all(self, new: Sequence[NewInbound]) -> list[tuple[InboundEvent, bool]]:
        self.add_all_calls += 1
        return [
            await self.add(
                source=n.source,
                webhook_id=n.webhook_id,
                type=n.type,
                connection=n.connection,
                ordering_key=n.ordering_key,
                data=n.data,
            )
            for n in new
        ]

    async def get(self, event_id: str) -> InboundEvent | None:
        return self.events.get(event_id)

    async def find(self, source: str, webhook_id: str) -> InboundEvent | None:
        for event in self.events.values():
            if (event.source, event.webhook_id) == (source, webhook_id):
                return event
        return None

    async def due(self, limit: int, now: dt.datetime | None = None) -> list[str]:
        at = now or _now()
        ready = [e for e in self.events.values() if self._claimable(e, at)]
        ready.sort(key=lambda e: (e.received_at, e.id))
        return [e.id for e in ready[:limit]]

    async def claim(self, event_id: str, lease: dt.timedelta) -> InboundEvent | None:
        now = _now()
        event = self.events.get(event_id)
        if event is None or not self._claimable(event, now):
            return None
        return self._set(
            event,
            lease_until=now + lease,
            lease_token=str(uuid.uuid4()),
            attempts=event.attempts + 1,
        )

    async def claim_due(self, limit: int, lease: dt.timedelta) -> list[InboundEvent]:
        now = _now()
        token = str(uuid.uuid4())
        return [
            self._set(
                self.events[event_id],
                lease_until=now + lease,
                lease_token=token,
                attempts=self.events[event_id].attempts + 1,
            )
            for event_id in await self.due(limit, now)
        ]

    async def complete_all(self, done: Sequence[Completion]) -> list[int | None]:
        counts: list[int | None] = []
        for completion in done:
            try:
                counts.append(await self.complete(completion.event, completion.events))
            except LeaseLost:
                counts.append(None)
        return counts

    async def complete(self, event: InboundEvent, events: Sequence[Event]) -> int:
        stored = self._leased(event)
        if stored is None:
            raise LeaseLost(event.id)
        self._set(
            stored,
            status=InboundStatus.PROCESSED,
            processed_at=_now(),
            lease_until=None,
            lease_token=None,
            last_error=None,
        )
        return self.outbox.stage(events)

    async def complete_replay(self, event_id: str, events: Sequence[Event]) -> int:
        stored = self.events.get(event_id)
        if stored is None or stored.status is not InboundStatus.QUARANTINED:
            return 0
        self._set(stored, status=InboundStatus.PROCESSED, processed_at=_now(), last_error=None)
        return self.outbox.stage(events)

    async def retry_later(self, event: InboundEvent, at: dt.datetime, error: str) -> bool:
        return self._release(event, next_attempt_at=at, last_error=error[:MAX_ERROR])

    async def quarantined(self, event: InboundEvent, quarantine_id: str, error: str) -> bool:
        return self._release(
            event,
            status=InboundStatus.QUARANTINED,
            quarantine_id=quarantine_id,
            last_error=error[:MAX_ERROR],
        )

    def _release(self, event: InboundEvent, **changes: Any) -> bool:
        stored = self._leased(event)
        if stored is None:
            return False
        self._set(stored, lease_until=None, lease_token=None, **changes)
        return True

    def _leased(self, event: InboundEvent) -> InboundEvent | None:
        """The stored event while ``event``'s lease still holds it."""
        stored = self.events.get(event.id)
        if (
            stored is None
            or stored.status is not InboundStatus.PENDING
            or stored.lease_token != event.lease_token
        ):
            return None
        return stored

    def _set(self, event: InboundEvent, **changes: Any) -> InboundEvent:
        changed = dataclasses.replace(event, **changes)
        self.events[event.id] = changed
        return changed

    def _claimable(self, event: InboundEvent, now: dt.datetime) -> bool:
        if event.status is not InboundStatus.PENDING or event.next_attempt_at > now:
            return False
        if event.lease_until is not None and event.lease_until >= now:
            return False
        # An earlier pending event of the same key goes first.
        return not any(
            other.ordering_key == event.ordering_key
            and other.status is InboundStatus.PENDING
            and (other.received_at, other.id) < (event.received_at, event.id)
            for other in self.events.values()
        )
