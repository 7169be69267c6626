"""An outbox in a list: what the order flow announced, in order, each id once."""

from __future__ import annotations

from collections.abc import Sequence

from process_apis.events.model import Event


class MemoryOutbox:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append(self, events: Sequence[Event]) -> None:
        known = {e.id for e in self.events}
        for event in events:
            if event.id not in known:
                known.add(event.id)
                self.events.append(event)
