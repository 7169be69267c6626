"""The watermark store port of the change-capture poller: where capture of each stream
stands, advanced together with the events it staged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from process_apis.events.model import Event


@dataclass(frozen=True)
class Watermark:
    """Where capture of one stream stands.

    Changes before ``watermark`` are captured, ``seen`` holds the ids of the events staged
    for changes near it (id → change time), ``origin`` is where capture began. ``version``
    0 means it is not stored yet.
    """

    connection: str
    stream: str
    watermark: dt.datetime
    origin: dt.datetime
    seen: dict[str, dt.datetime] = field(default_factory=dict)
    version: int = 0


class WatermarkConflict(Exception):
    """Another poller advanced the watermark (or staged the same events) since it was read."""


class WatermarkStore(Protocol):
    """Watermarks per connection and stream, shared by every replica of the gateway.

    Each advance is a compare-and-set on ``version``: of two pollers that read the same
    watermark, one advances it and the other's change is refused whole.
    """

    async def load(self, connection: str, stream: str) -> Watermark | None:
        """The stored watermark of a stream, None before its first poll."""
        ...

    async def save(
        self, mark: Watermark, now: dt.datetime, events: Sequence[Event] = ()
    ) -> tuple[Watermark, int]:
        """Store ``mark`` as the successor of the version it was read at and stage
        ``events`` in the outbox, both or neither; returns the stored watermark and how many
        events were new. Raises WatermarkConflict, storing nothing, when another poller got
        there first."""
        ...

    async def list_all(self) -> list[Watermark]:
        """Every stored watermark, by connection and stream."""
        ...

    async def forget(self, connection: str, stream: str | None = None) -> int:
        """Delete the watermarks of ``connection`` (one ``stream`` or all), so the next poll
        starts again at the policy's ``start``; returns how many were deleted. A poller
        running meanwhile loses its compare-and-set and reads again."""
        ...
