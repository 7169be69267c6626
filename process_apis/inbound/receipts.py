"""Group commit of received inbound events: one transaction for those received meanwhile.

Storing a received event is a write transaction, and the state database takes one writer
at a time (SQLite) or syncs each commit (both). The first event to arrive is written at
once; those arriving while that transaction runs wait for it and are written together in
the next one, in the order they arrived, so the events of one record keep their order.
Each sender is answered only once its event is committed.
"""

from __future__ import annotations

import asyncio

from process_apis.inbound.model import InboundEvent
from process_apis.inbound.port import InboundStore, NewInbound

_Waiting = tuple[NewInbound, "asyncio.Future[tuple[InboundEvent, bool]]"]


class ReceiptGroups:
    """Stores received events through ``store.add_all``, grouping concurrent ones."""

    def __init__(self, store: InboundStore):
        self._store = store
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, new: NewInbound) -> tuple[InboundEvent, bool]:
        """As ``InboundStore.add``: the stored event and whether it is new. A waiter
        cancelled here (its sender hung up) does not withdraw the event: it is written with
        its group, and a redelivery finds it."""
        future: asyncio.Future[tuple[InboundEvent, bool]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting.append((new, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        group: list[_Waiting] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    stored = await self._store.add_all([new for new, _ in group])
                except Exception as exc:
                    for _, future in group:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), answer in zip(group, stored, strict=True):
                    if not future.done():
                        future.set_result(answer)
                group = []
        finally:
            # Stopped mid-way (the process shuts down): nobody is left waiting forever.
            for _, future in [*group, *self._waiting]:
                future.cancel()
            self._waiting = []
            self._writer = None
