"""The outbox relay's webhook sink: events become pending deliveries."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from process_apis.events.model import Event
from process_apis.webhooks.port import WebhookStore


class WebhookEnqueuer:
    """An :class:`~process_apis.events.port.EventSink`: for each event, one delivery per
    matching active subscription, committed before :meth:`publish` returns.

    The relay runs on one replica at a time; the deliveries it leaves are sent by the
    :class:`~process_apis.webhooks.worker.DeliveryWorker` of every replica. An event
    offered again (the relay stopped before it marked it published) creates nothing new.
    ``on_enqueued`` is called after new deliveries were committed (the local worker's
    wake-up, so it does not wait for its next poll).
    """

    def __init__(self, store: WebhookStore, on_enqueued: Callable[[], None] | None = None):
        self._store = store
        self._on_enqueued = on_enqueued

    async def publish(self, events: Sequence[Event]) -> None:
        created = await self._store.enqueue(events)
        if created and self._on_enqueued is not None:
            self._on_enqueued()
