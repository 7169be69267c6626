"""An outbox in a list: what the flows announced, in order, each id once; the relay reads
it as it reads the ``outbox`` table (unpublished first by ``seq``, marked once)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from process_apis.events.model import Event
from process_apis.events.port import StagedEvent


@dataclass
class _Row:
    seq: int
    event: Event
    published_at: dt.datetime | None = None


class MemoryOutbox:
    def __init__(self) -> None:
        self.rows: list[_Row] = []
        self._seq = 0

    @property
    def events(self) -> list[Event]:
        """Every event held, in the order it was staged."""
        return [row.event for row in self.rows]

    def stage(self, events: Sequence[Event]) -> int:
        """Add the events whose id is not held yet; returns how many were new.

        As the SQL outbox, events whose data cannot be stored as JSON add nothing."""
        for event in events:
            json.dumps(event.data, default=str)
        known = {row.event.id for row in self.rows}
        added = 0
        for event in events:
            if event.id not in known:
                known.add(event.id)
                self._seq += 1
                self.rows.append(_Row(self._seq, event))
                added += 1
        return added

    async def append(self, events: Sequence[Event]) -> None:
        self.stage(events)

    async def unpublished(self, limit: int, after: int | None = None) -> Sequence[StagedEvent]:
        waiting = [
            row
            for row in self.rows
            if row.published_at is None and (after is None or row.seq > after)
        ]
        return [StagedEvent(seq=row.seq, event=row.event) for row in waiting[:limit]]

    async def mark_published(self, seqs: Sequence[int], at: dt.datetime) -> None:
        wanted = set(seqs)
        for row in self.rows:
            if row.seq in wanted and row.published_at is None:
                row.published_at = at

    async def purge(self, published_before: dt.datetime) -> int:
        kept = [
            row
            for row in self.rows
            if row.published_at is None or row.published_at >= published_before
        ]
        purged = len(self.rows) - len(kept)
        self.rows = kept
        return purged

    async def backlog(self) -> int:
        return sum(1 for row in self.rows if row.published_at is None)
