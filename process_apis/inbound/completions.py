"""Group commit of finished inbound events: one transaction for those finished meanwhile.

Marking an event processed and staging its business events is a write transaction, and the
state database takes one writer at a time. The first event to finish is written at once;
those finishing while that transaction runs wait for it and are written together in the
next one. Each event is still marked and staged atomically, and one whose lease was lost is
left out on its own (its waiter gets :class:`LeaseLost`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from process_apis.events.model import Event
from process_apis.inbound.model import InboundEvent
from process_apis.inbound.port import Completion, InboundStore, LeaseLost

_Waiting = tuple[Completion, "asyncio.Future[int]"]


class CompletionGroups:
    """Completes leased events through ``store.complete_all``, grouping concurrent ones."""

    def __init__(self, store: InboundStore):
        self._store = store
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def complete(self, event: InboundEvent, events: Sequence[Event]) -> int:
        """As ``InboundStore.complete``: how many of ``events`` were new; LeaseLost when the
        lease is no longer held. A waiter cancelled here does not withdraw the event: it is
        written with its group (the ERP posting it describes has happened)."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((Completion(event, events), future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await future

    async def drain(self) -> None:
        """Wait for the group being written, if any: a processor that stops (its waiters
        cancelled) returns only once that transaction is over, so it never finishes later
        on a state database the caller has meanwhile closed."""
        writer = self._writer
        if writer is not None:
            await asyncio.wait({writer})

    async def _write(self) -> None:
        group: list[_Waiting] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    counts = await self._store.complete_all([c for c, _ in group])
                except Exception as exc:
                    for _, future in group:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (completion, future), count in zip(group, counts, strict=True):
                    if future.done():
                        continue
                    if count is None:
                        future.set_exception(LeaseLost(completion.event.id))
                    else:
                        future.set_result(count)
                group = []
        finally:
            # Stopped mid-way (the process shuts down): nobody is left waiting forever.
            for _, future in [*group, *self._waiting]:
                future.cancel()
            self._waiting = []
            self._writer = None
