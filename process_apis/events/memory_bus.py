"""The in-process event bus of the embedded default: one process, no broker."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from process_apis.events.fanout import LocalFanout, Subscription
from process_apis.events.model import Event, EventType


class InProcessBus:
    """An event sink that hands every published event to this process's subscribers.

    Subscribers see events from the moment they subscribe; a subscriber that falls more
    than ``max_pending`` events behind is ended with an error it sees (see
    :mod:`process_apis.events.fanout`).
    """

    def __init__(self, *, max_pending: int = 1000):
        self._fanout = LocalFanout(max_pending=max_pending)

    async def publish(self, events: Sequence[Event]) -> None:
        self._fanout.deliver(events)

    def subscribe(self, types: Collection[EventType] | None = None) -> Subscription:
        return self._fanout.subscribe(types)

    @property
    def subscriber_count(self) -> int:
        return self._fanout.subscriber_count

    async def aclose(self) -> None:
        """End every subscription (the gateway is stopping)."""
        self._fanout.close_all()
