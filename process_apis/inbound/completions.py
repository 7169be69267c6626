"""Group commit of finished inbound events: one transaction for those finished meanwhile.

Marking an event processed and staging its business events is a write transaction (see
:mod:`process_apis.inbound.group_commit`). Each event is still marked and staged atomically,
and one whose lease was lost is left out on its own (its waiter gets :class:`LeaseLost`).
"""

from __future__ import annotations

from collections.abc import Sequence

from process_apis.events.model import Event
from process_apis.inbound.group_commit import GroupCommit
from process_apis.inbound.model import InboundEvent
from process_apis.inbound.port import Completion, InboundStore, LeaseLost


class CompletionGroups:
    """Completes leased events through ``store.complete_all``, grouping concurrent ones."""

    def __init__(self, store: InboundStore):
        self._groups: GroupCommit[Completion, int | None] = GroupCommit(store.complete_all)

    async def complete(self, event: InboundEvent, events: Sequence[Event]) -> int:
        """As ``InboundStore.complete``: how many of ``events`` were new; LeaseLost when the
        lease is no longer held. A waiter cancelled here does not withdraw the event: it is
        written with its group (the ERP posting it describes has happened)."""
        count = await self._groups.submit(Completion(event, events))
        if count is None:
            raise LeaseLost(event.id)
        return count

    async def drain(self) -> None:
        """Wait for the group being written, if any (see :meth:`GroupCommit.drain`)."""
        await self._groups.drain()
