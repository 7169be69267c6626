"""Change-capture watermarks in a dict, with the SQL store's compare-and-set."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from process_apis.change_capture.port import Watermark, WatermarkConflict
from process_apis.events.model import Event
from tests.fakes.memory_outbox import MemoryOutbox


class MemoryWatermarkStore:
    """``outbox`` receives the events an advance stages."""

    def __init__(self, outbox: MemoryOutbox | None = None) -> None:
        self.marks: dict[tuple[str, str], Watermark] = {}
        self.outbox = outbox if outbox is not None else MemoryOutbox()

    async def load(self, connection: str, stream: str) -> Watermark | None:
        mark = self.marks.get((connection, stream))
        return None if mark is None else dataclasses.replace(mark, seen=dict(mark.seen))

    async def save(
        self, mark: Watermark, now: dt.datetime, events: Sequence[Event] = ()
    ) -> tuple[Watermark, int]:
        key = (mark.connection, mark.stream)
        stored = self.marks.get(key)
        if mark.version == 0 and stored is not None:
            raise WatermarkConflict(f"{mark.connection}/{mark.stream} was started elsewhere")
        if mark.version != 0 and (stored is None or stored.version != mark.version):
            raise WatermarkConflict(f"{mark.connection}/{mark.stream} advanced elsewhere")
        saved = dataclasses.replace(mark, seen=dict(mark.seen), version=mark.version + 1)
        self.marks[key] = saved
        return dataclasses.replace(saved, seen=dict(saved.seen)), self.outbox.stage(events)

    async def list_all(self) -> list[Watermark]:
        return [await self.load(*key) or self.marks[key] for key in sorted(self.marks)]

    async def forget(self, connection: str, stream: str | None = None) -> int:
        doomed = [
            key
            for key in self.marks
            if key[0] == connection and (stream is None or key[1] == stream)
        ]
        for key in doomed:
            del self.marks[key]
        return len(doomed)
