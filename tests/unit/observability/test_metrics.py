"""The series a replica exposes: names bounded, latencies from the change, state at zero."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import CollectorRegistry

from process_apis.events.model import Event, EventType
from process_apis.events.status import OutboxStatus
from process_apis.metrics.connections import ConnectionsCollector, connection_figures
from process_apis.metrics.gateway import GatewayMetrics
from process_apis.metrics.state import StateCollector, StateFigures
from system_apis.contracts import errors
from system_apis.contracts.queries import PageRequest, ProductFilter
from system_apis.resilience import BreakerState, ResiliencePolicy, ResilientAdapter
from tests.fakes.memory_erp import MemoryErp

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def figures(
    backlog: dict[tuple[str, str, str], int] | None = None,
    oldest: dict[str, dt.datetime] | None = None,
    holder: str | None = None,
) -> StateFigures:
    return StateFigures(
        at=NOW,
        backlog=backlog or {},
        oldest_waiting=oldest or {},
        outbox=OutboxStatus(
            waiting=3,
            oldest_waiting=NOW - dt.timedelta(seconds=42),
            published=10,
            last_published=NOW,
            relay_holder=holder,
            relay_lease_until=None if holder is None else NOW + dt.timedelta(seconds=10),
        ),
    )


def state_registry(state: StateFigures, connections: tuple[str, ...]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(StateCollector(state, ["place_order", "inbound_event"], connections))
    return registry


def test_operation_names_beyond_the_limit_are_counted_as_other() -> None:
    metrics = GatewayMetrics(max_operation_names=2)
    for name in ["Products", "Orders", "Products", "Random1", "Random2", None]:
        metrics.operation("graphql", name, 0.01, failed=name == "Random2")
    count = "erp_gateway_api_operation_duration_seconds_count"
    value = metrics.registry.get_sample_value
    assert value(count, {"api": "graphql", "operation": "Products"}) == 2
    assert value(count, {"api": "graphql", "operation": "Orders"}) == 1
    assert value(count, {"api": "graphql", "operation": "other"}) == 3  # anonymous too
    assert (
        value("erp_gateway_api_operation_errors_total", {"api": "graphql", "operation": "other"})
        == 1
    )
    assert value(count, {"api": "graphql", "operation": "Random1"}) is None


def test_published_events_count_and_measure_from_the_change() -> None:
    metrics = GatewayMetrics()
    changed = Event(
        type=EventType.INVENTORY_CHANGED,
        aggregate="stock:EU01:TG11@1010/0001",
        connection="EU01",
        occurred_at=NOW - dt.timedelta(seconds=30),
        data={},
    )
    metrics.events_published([changed, changed.model_copy(update={"id": "2"})], at=NOW)
    labels = {"type": "inventory.changed", "connection": "EU01"}
    value = metrics.registry.get_sample_value
    assert value("erp_gateway_events_published_total", labels) == 2
    latency = {"path": "erp_to_event", **labels}
    assert value("erp_gateway_data_latency_seconds_sum", latency) == 60
    assert value("erp_gateway_data_latency_seconds_bucket", {**latency, "le": "30.0"}) == 2
    assert value("erp_gateway_data_latency_seconds_bucket", {**latency, "le": "10.0"}) == 0


def test_the_backlog_lists_every_kind_and_connection_at_zero_when_empty() -> None:
    state = figures(
        backlog={("place_order", "EU01", "open"): 4, ("place_order", "US01", "pending"): 1},
        oldest={"open": NOW - dt.timedelta(hours=2)},
        holder="gw-1:17:abcd",
    )
    value = state_registry(state, ("EU01", "US01")).get_sample_value
    backlog = "erp_gateway_quarantine_backlog"
    assert value(backlog, {"kind": "place_order", "connection": "EU01", "status": "open"}) == 4
    assert value(backlog, {"kind": "place_order", "connection": "US01", "status": "pending"}) == 1
    assert value(backlog, {"kind": "inbound_event", "connection": "US01", "status": "open"}) == 0
    assert value(backlog, {"kind": "place_order", "connection": "EU01", "status": "pending"}) == 0
    assert value("erp_gateway_quarantine_oldest_age_seconds", {"status": "open"}) == 7200
    assert value("erp_gateway_quarantine_oldest_age_seconds", {"status": "pending"}) == 0
    assert value("erp_gateway_outbox_backlog") == 3
    assert value("erp_gateway_outbox_lag_seconds") == 42
    expiry = "erp_gateway_outbox_relay_lease_expiry_timestamp_seconds"
    assert value(expiry, {"holder": "gw-1:17:abcd"}) == (NOW + dt.timedelta(seconds=10)).timestamp()


def test_no_lease_holder_before_a_replica_took_it() -> None:
    registry = state_registry(figures(), ("EU01",))
    [family] = [
        f
        for f in registry.collect()
        if f.name == "erp_gateway_outbox_relay_lease_expiry_timestamp_seconds"
    ]
    assert family.samples == []


async def test_connection_figures_and_breaker_state_per_connection() -> None:
    erp = MemoryErp("EU01")
    erp.add_product("SKU-1", "Widget", "10.00", {"WH/A": "5"})
    adapter = ResilientAdapter(erp, ResiliencePolicy())
    await adapter.list_products(ProductFilter(), PageRequest(limit=5))
    with pytest.raises(errors.NotFound):
        await adapter.get_sales_order("404")
    [figures] = connection_figures({"EU01": adapter})
    assert (figures.connection, figures.breaker) == ("EU01", BreakerState.CLOSED)
    assert (figures.counters.calls, figures.counters.attempts) == (2, 2)
    registry = CollectorRegistry()
    registry.register(ConnectionsCollector({"EU01": adapter}))
    value = registry.get_sample_value
    assert value("erp_gateway_erp_breaker_state", {"connection": "EU01", "state": "closed"}) == 1
    assert value("erp_gateway_erp_breaker_state", {"connection": "EU01", "state": "open"}) == 0
    assert value("erp_gateway_erp_calls_total", {"connection": "EU01"}) == 2
    assert value("erp_gateway_erp_attempts_total", {"connection": "EU01"}) == 2
