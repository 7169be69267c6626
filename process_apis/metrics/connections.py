"""Figures of each ERP connection as this replica sees it: its breaker and its counters.

:func:`connection_figures` is the small read API (the ops console shows the same numbers);
:class:`ConnectionsCollector` turns it into series at scrape time. Breakers and counters
are per replica (each has its own wrapper per connection), which is what Prometheus expects
of a replica it scrapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from process_apis.metrics.gateway import PREFIX
from system_apis.resilience.breaker import BreakerState
from system_apis.resilience.counters import ResilienceCounters


class Guarded(Protocol):
    """What the resilience wrapper shows beyond the port (the wrapper module itself pulls
    in the wire's tracing, which the process layer does not import)."""

    @property
    def state(self) -> BreakerState: ...

    @property
    def counters(self) -> ResilienceCounters: ...


@dataclass(frozen=True)
class ConnectionFigures:
    """One connection on this replica: breaker state and counts since start (their
    ``error_rate`` and ``mean_latency`` are per attempt)."""

    connection: str
    breaker: BreakerState
    counters: ResilienceCounters


def connection_figures(guarded: Mapping[str, Guarded]) -> tuple[ConnectionFigures, ...]:
    """Each connection's resilience wrapper (by name, as the composition root built them:
    a response cache may sit in front of one) read now, in the mapping's order."""
    return tuple(
        ConnectionFigures(name, adapter.state, adapter.counters)
        for name, adapter in guarded.items()
    )


_COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("calls", "erp_calls", "Port calls made to the connection (streams included)."),
    ("attempts", "erp_attempts", "Attempts passed to the ERP, retries included."),
    ("retries", "erp_retries", "Retries after a failed attempt."),
    ("timeouts", "erp_timeouts", "Attempts cut by the connection's call timeout."),
    (
        "rejected_by_breaker",
        "erp_breaker_rejections",
        "Attempts refused by the open circuit breaker without calling the ERP.",
    ),
    (
        "throttled_waits",
        "erp_throttled_waits",
        "Retries that waited for the Retry-After the ERP gave with a 429.",
    ),
    (
        "quota_wait_seconds",
        "erp_quota_wait_seconds",
        "Seconds attempts waited for the connection's concurrency slots and request rate.",
    ),
    ("stale_reads", "erp_stale_reads", "Reads answered from the last-known-good cache."),
    (
        "attempt_seconds",
        "erp_attempt_seconds",
        "Seconds spent in the ERP's answers (every attempt, failed ones included).",
    ),
)


class ConnectionsCollector(Collector):
    """The breaker state and resilience counters of each connection, read when scraped."""

    def __init__(self, guarded: Mapping[str, Guarded]) -> None:
        self._guarded = guarded

    def collect(self) -> Iterator[Metric]:
        figures = connection_figures(self._guarded)
        state = GaugeMetricFamily(
            f"{PREFIX}_erp_breaker_state",
            "Circuit breaker of the connection on this replica: 1 for its current state.",
            labels=["connection", "state"],
        )
        for f in figures:
            for s in BreakerState:
                state.add_metric([f.connection, s.value], 1.0 if f.breaker is s else 0.0)
        yield state
        for field, name, documentation in _COUNTERS:
            family = CounterMetricFamily(f"{PREFIX}_{name}", documentation, labels=["connection"])
            for f in figures:
                family.add_metric([f.connection], float(getattr(f.counters, field)))
            yield family
