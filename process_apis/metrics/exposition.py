"""The text ``GET /metrics`` answers: this replica's series, then the shared state's.

Prometheus' text format (version 0.0.4) is a list of metric families; the two parts name
different families, so one after the other is one valid exposition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.relay import RELAY_LEASE
from process_apis.metrics.connections import ConnectionsCollector, Guarded
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.metrics.state import StateCollector, read_state

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


class Exposition:
    """Renders the metrics of one gateway process and of the state database it shares."""

    def __init__(
        self,
        metrics: GatewayMetrics,
        engine: AsyncEngine,
        guarded: Mapping[str, Guarded],
        quarantine_kinds: Iterable[str],
    ) -> None:
        """``guarded``: each connection's resilience wrapper by connection name."""
        self.metrics = metrics
        self._engine = engine
        self._guarded = dict(guarded)
        self._kinds = tuple(quarantine_kinds)

    async def render(self) -> bytes:
        """The exposition now: state figures are read from the database at each call."""
        figures = await read_state(self._engine, RELAY_LEASE)
        scraped = CollectorRegistry(auto_describe=False)
        scraped.register(ConnectionsCollector(self._guarded))
        scraped.register(StateCollector(figures, self._kinds, tuple(self._guarded)))
        return generate_latest(self.metrics.registry) + generate_latest(scraped)
