"""``GatewayMetrics``: the series each replica counts itself, in its own registry.

Counters and histograms are per process: Prometheus scrapes every replica and sums them.
Figures that describe shared state (quarantine backlog, outbox lag, relay lease holder)
are not kept here but read from the state database at scrape time
(:mod:`process_apis.metrics.state`), so every replica reports the same truth.

Each label takes values from a fixed set (connections, methods, flows, outcomes) except the
names clients give their GraphQL operations: those are kept to the first
:data:`MAX_OPERATION_NAMES` seen, later ones counted as ``other``, so that a client cannot
grow the exposition without bound.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram

from process_apis.events.model import Event
from process_apis.metrics.port import ERP_TO_EVENT
from process_apis.webhooks.model import AttemptResult

PREFIX = "erp_gateway"
MAX_OPERATION_NAMES = 200
OTHER = "other"

ERP_CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
DATA_LATENCY_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)
OPERATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _BoundedNames:
    """Names as given while fewer than ``limit`` distinct ones were seen, then ``other``."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, name: str) -> str:
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) < self._limit:
                self._seen.add(name)
                return name
        return OTHER


class GatewayMetrics:
    """The instruments of one gateway process and the hooks its components call.

    It implements :class:`~system_apis.resilience.observer.CallObserver` (ERP calls),
    :class:`~process_apis.metrics.port.FlowObserver` and
    :class:`~process_apis.metrics.port.InterventionObserver`; the outbox relay, the
    webhook worker and the experience layer call the other hooks.
    """

    def __init__(self, *, max_operation_names: int = MAX_OPERATION_NAMES) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._erp_calls = Histogram(
            f"{PREFIX}_erp_call_duration_seconds",
            "Port calls to an ERP connection, retries and waits included, by outcome.",
            ["connection", "method", "outcome"],
            buckets=ERP_CALL_BUCKETS,
            registry=r,
        )
        self._erp_errors = Counter(
            f"{PREFIX}_erp_call_errors",
            "Port calls that failed (after retries), by kind of error.",
            ["connection", "method", "kind"],
            registry=r,
        )
        self._flows = Counter(
            f"{PREFIX}_flow_runs",
            "Runs of a process flow by outcome.",
            ["flow", "connection", "outcome"],
            registry=r,
        )
        self._latency = Histogram(
            f"{PREFIX}_data_latency_seconds",
            "Time data took along a path: erp_to_event (ERP change to event published), "
            "inbound_to_erp (inbound event received to posted in the ERP).",
            ["path", "type", "connection"],
            buckets=DATA_LATENCY_BUCKETS,
            registry=r,
        )
        self._published = Counter(
            f"{PREFIX}_events_published",
            "Events the outbox relay of this replica published to every sink.",
            ["type", "connection"],
            registry=r,
        )
        self._interventions = Counter(
            f"{PREFIX}_quarantine_interventions",
            "Edits, replays and discards of quarantined records by outcome.",
            ["action", "outcome"],
            registry=r,
        )
        self._deliveries = Histogram(
            f"{PREFIX}_webhook_delivery_duration_seconds",
            "Outbound webhook delivery attempts by outcome (delivered, retry, failed, gone).",
            ["outcome"],
            buckets=ERP_CALL_BUCKETS,
            registry=r,
        )
        self._operations = Histogram(
            f"{PREFIX}_api_operation_duration_seconds",
            "GraphQL operations and MCP tool calls by name.",
            ["api", "operation"],
            buckets=OPERATION_BUCKETS,
            registry=r,
        )
        self._operation_errors = Counter(
            f"{PREFIX}_api_operation_errors",
            "GraphQL operations that answered with errors, and MCP tool calls that failed.",
            ["api", "operation"],
            registry=r,
        )
        self._names = _BoundedNames(max_operation_names)

    # -- ERP connections (CallObserver) ---------------------------------------------------------

    def erp_call(self, connection: str, method: str, seconds: float, error: str | None) -> None:
        outcome = "ok" if error is None else "error"
        self._erp_calls.labels(connection, method, outcome).observe(seconds)
        if error is not None:
            self._erp_errors.labels(connection, method, error).inc()

    # -- flows (FlowObserver) -------------------------------------------------------------------

    def flow_finished(self, flow: str, connection: str, outcome: str) -> None:
        self._flows.labels(flow, connection, outcome).inc()

    def data_latency(self, path: str, type: str, connection: str, seconds: float) -> None:
        self._latency.labels(path, type, connection).observe(max(0.0, seconds))

    def events_published(self, events: Sequence[Event], at: dt.datetime | None = None) -> None:
        """The relay published ``events``: counted, and their latency from the change."""
        now = at or dt.datetime.now(dt.UTC)
        for event in events:
            self._published.labels(event.type.value, event.connection).inc()
            seconds = (now - event.occurred_at).total_seconds()
            self.data_latency(ERP_TO_EVENT, event.type.value, event.connection, seconds)

    # -- quarantine (InterventionObserver) ------------------------------------------------------

    def intervention(self, action: str, outcome: str) -> None:
        self._interventions.labels(action, outcome).inc()

    # -- webhooks and the APIs --------------------------------------------------------------------

    def webhook_attempt(self, result: AttemptResult) -> None:
        """One delivery attempt of the webhook worker, judged."""
        seconds = result.duration_ms / 1000
        self._deliveries.labels(result.outcome.value).observe(seconds)

    def operation(self, api: str, name: str | None, seconds: float, *, failed: bool) -> None:
        """A GraphQL operation (``api`` graphql) or an MCP tool call (mcp) answered."""
        label = self._names(name or "anonymous") if api == "graphql" else name or "anonymous"
        self._operations.labels(api, label).observe(seconds)
        if failed:
            self._operation_errors.labels(api, label).inc()
