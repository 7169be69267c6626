"""The outbox port on the state database."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.model import Event
from process_apis.events.outbox import stage


class SqlOutbox:
    """Appends events to the ``outbox`` table in a transaction of their own.

    For changes made in an ERP (a goods issue, an invoice) there is no local transaction to
    share; the events are written right after the ERP answered. ``notify`` is called after
    the commit (the relay's nudge), so this process publishes them at once.
    """

    def __init__(self, engine: AsyncEngine, *, notify: Callable[[], None] | None = None):
        self._engine = engine
        self._notify = notify

    async def append(self, events: Sequence[Event]) -> None:
        if not events:
            return
        async with self._engine.begin() as conn:
            added = await stage(conn, events)
        if added and self._notify is not None:
            self._notify()
