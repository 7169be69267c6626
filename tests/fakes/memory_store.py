"""An idempotency store in a dict, with the same atomicity as the SQL one in one process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence

from process_apis.events.model import Event
from process_apis.idempotency.port import KeyRecord, KeyState
from tests.fakes.memory_outbox import MemoryOutbox


class MemoryIdempotencyStore:
    """Completions stage their events in ``outbox`` (one of its own unless given)."""

    def __init__(self, outbox: MemoryOutbox | None = None) -> None:
        self.records: dict[tuple[str, str], KeyRecord] = {}
        self.outbox = outbox if outbox is not None else MemoryOutbox()

    @property
    def events(self) -> list[Event]:
        """Events staged with completions, in order; an id staged before is skipped."""
        return self.outbox.events

    async def claim(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        ttl: dt.timedelta,
        *,
        request: str | None = None,
    ) -> KeyRecord | None:
        now = dt.datetime.now(dt.UTC)
        existing = self.records.get((scope, key))
        if existing is not None and existing.expires_at >= now:
            return existing
        self.records[(scope, key)] = KeyRecord(
            scope, key, fingerprint, KeyState.IN_PROGRESS, None, now, now, now + ttl, request
        )
        return None

    async def reclaim(self, scope: str, key: str, stale_before: dt.datetime) -> bool:
        rec = self.records.get((scope, key))
        if rec is None or rec.state is not KeyState.IN_PROGRESS or rec.updated_at >= stale_before:
            return False
        self.records[(scope, key)] = KeyRecord(
            scope, key, rec.fingerprint, rec.state, None, rec.created_at,
            dt.datetime.now(dt.UTC), rec.expires_at, rec.request,
        )  # fmt: skip
        return True

    async def stalled(
        self, scope_prefix: str, stale_before: dt.datetime, *, limit: int
    ) -> list[KeyRecord]:
        now = dt.datetime.now(dt.UTC)
        found = [
            r
            for r in self.records.values()
            if r.scope.startswith(scope_prefix)
            and r.state is KeyState.IN_PROGRESS
            and r.updated_at < stale_before
            and r.expires_at >= now
            and r.request is not None
        ]
        return sorted(found, key=lambda r: (r.updated_at, r.scope, r.key))[:limit]

    async def complete(
        self, scope: str, key: str, response: str, *, events: Sequence[Event] = ()
    ) -> None:
        for event in events:  # as the SQL store: data that cannot be stored changes nothing
            json.dumps(event.data, default=str)
        rec = self.records[(scope, key)]
        self.records[(scope, key)] = KeyRecord(
            scope, key, rec.fingerprint, KeyState.COMPLETED, response, rec.created_at,
            dt.datetime.now(dt.UTC), rec.expires_at, rec.request,
        )  # fmt: skip
        self.outbox.stage(events)

    async def hand_over(self, scope: str, key: str) -> None:
        rec = self.records.get((scope, key))
        if rec is not None and rec.state is KeyState.IN_PROGRESS:
            self.records[(scope, key)] = dataclasses.replace(rec, request=None)

    async def release(self, scope: str, key: str) -> None:
        rec = self.records.get((scope, key))
        if rec is not None and rec.state is KeyState.IN_PROGRESS:
            del self.records[(scope, key)]

    async def purge_expired(self, now: dt.datetime | None = None) -> int:
        cutoff = now or dt.datetime.now(dt.UTC)
        gone = [k for k, r in self.records.items() if r.expires_at < cutoff]
        for k in gone:
            del self.records[k]
        return len(gone)
