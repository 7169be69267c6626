"""What the composition root hands the HTTP app: the running gateway's resources.

Kept apart from :mod:`experience_api.bootstrap` so the request handlers can name the type
without depending on the composition root that builds it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from experience_api.services import Services
from process_apis.events.port import EventSink
from process_apis.events.relay import OutboxRelay
from process_apis.metrics.exposition import Exposition


@dataclass
class Gateway:
    """The running gateway's resources: flows for the API, background loops, and what
    must be closed.

    ``background`` maps a name to a coroutine factory of a loop that runs until cancelled
    (in-flight recovery, the outbox relay, deliveries...); the app's lifespan runs each as
    a task. ``closers`` run in reverse order on :meth:`aclose`, before the ERP connections
    and the state database close.
    """

    services: Services
    engine: AsyncEngine
    sandboxes: dict[str, Any] = field(default_factory=dict)
    background: dict[str, Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # What the outbox relay publishes to, in order (the bus first); append further sinks
    # (webhook deliveries...) here. ``relay.nudge`` wakes the relay after a commit that
    # staged events.
    event_sinks: list[EventSink] = field(default_factory=list)
    relay: OutboxRelay | None = None
    # What ``GET /metrics`` answers; None where no metrics are wired (tests of other parts).
    exposition: Exposition | None = None

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()
        await self.services.connections.aclose()
        await self.engine.dispose()
