"""Figures of the shared state, read from the state database when ``/metrics`` is scraped.

Every replica on one state database reports the same quarantine backlog, outbox lag and
relay lease holder: they are read, not counted, so it does not matter which replica
Prometheus asks, nor how many there are. The reading is one round trip per table, with
indexes on ``status`` and ``published_at`` behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.events.status import OutboxStatus, outbox_status
from process_apis.metrics.gateway import PREFIX
from process_apis.persistence.tables import quarantine
from process_apis.persistence.times import maybe_utc
from process_apis.quarantine.port import QuarantineStatus

BACKLOG_STATUSES = (QuarantineStatus.PENDING, QuarantineStatus.OPEN)
"""Records still waiting: retried by the gateway (pending) or for a person (open)."""


@dataclass(frozen=True)
class StateFigures:
    """One reading of the shared state."""

    at: dt.datetime
    backlog: dict[tuple[str, str, str], int]
    """Waiting quarantined records by (kind, connection, status)."""
    oldest_waiting: dict[str, dt.datetime]
    """The creation time of the oldest waiting record, by status."""
    outbox: OutboxStatus


async def read_state(
    engine: AsyncEngine, relay_lease: str, *, now: dt.datetime | None = None
) -> StateFigures:
    """The quarantine backlog and where the outbox stands, as the database has them now."""
    waiting = quarantine.c.status.in_([s.value for s in BACKLOG_STATUSES])
    c = quarantine.c
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(c.kind, c.connection, c.status, func.count(), func.min(c.created_at))
                .where(waiting)
                .group_by(c.kind, c.connection, c.status)
            )
        ).all()
    backlog: dict[tuple[str, str, str], int] = {}
    oldest: dict[str, dt.datetime] = {}
    for kind, connection, status, count, first in rows:
        backlog[(kind, connection, status)] = int(count)
        first = maybe_utc(first)
        if first is not None and (status not in oldest or first < oldest[status]):
            oldest[status] = first
    return StateFigures(
        at=now or dt.datetime.now(dt.UTC),
        backlog=backlog,
        oldest_waiting=oldest,
        outbox=await outbox_status(engine, relay_lease),
    )


class StateCollector(Collector):
    """The gauges of one :class:`StateFigures`; every (kind, connection, status) of
    ``kinds`` and ``connections`` is reported, at 0 when empty, so that an alert on the
    backlog's growth sees it start from zero."""

    def __init__(
        self, figures: StateFigures, kinds: Iterable[str], connections: Sequence[str]
    ) -> None:
        self._figures = figures
        self._kinds = tuple(kinds)
        self._connections = tuple(connections)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = self._figures
        backlog = GaugeMetricFamily(
            f"{PREFIX}_quarantine_backlog",
            "Quarantined records waiting, by kind, connection and status (pending: retried "
            "by the gateway; open: waiting for a person). Read from the state database.",
            labels=["kind", "connection", "status"],
        )
        keys = {
            (kind, connection, status.value)
            for kind in self._kinds
            for connection in self._connections
            for status in BACKLOG_STATUSES
        } | set(figures.backlog)
        for key in sorted(keys):
            backlog.add_metric(list(key), figures.backlog.get(key, 0))
        yield backlog
        oldest = GaugeMetricFamily(
            f"{PREFIX}_quarantine_oldest_age_seconds",
            "Age of the oldest waiting quarantined record by status (0 when none waits).",
            labels=["status"],
        )
        for status in BACKLOG_STATUSES:
            first = figures.oldest_waiting.get(status.value)
            oldest.add_metric([status.value], _age(figures.at, first))
        yield oldest
        outbox = figures.outbox
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_backlog",
            "Events staged in the outbox and not yet published.",
            value=outbox.waiting,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_outbox_lag_seconds",
            "Age of the oldest unpublished event (0 when the outbox is drained).",
            value=_age(figures.at, outbox.oldest_waiting),
        )
        holder = GaugeMetricFamily(
            f"{PREFIX}_outbox_relay_lease_expiry_timestamp_seconds",
            "When the outbox relay lease runs out unless renewed, labelled with the replica "
            "that holds it (absent before any replica took it).",
            labels=["holder"],
        )
        if outbox.relay_holder is not None and outbox.relay_lease_until is not None:
            holder.add_metric([outbox.relay_holder], outbox.relay_lease_until.timestamp())
        yield holder


def _age(now: dt.datetime, since: dt.datetime | None) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())
