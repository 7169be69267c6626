"""Ports of the event flow: where the outbox relay hands events over."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from process_apis.events.model import Event


class EventSink(Protocol):
    """Takes the events the outbox relay publishes, in outbox order.

    Returning means the sink has them durably (a broker confirmed them, delivery rows are
    committed); raising means none are taken for sure and the relay will offer them again,
    so a sink must tolerate seeing an event twice (at-least-once).
    """

    async def publish(self, events: Sequence[Event]) -> None: ...
