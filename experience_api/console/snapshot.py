"""What the console's overview shows, read from the running gateway: each connection's
health and figures, the outbox and its relay, webhooks, change-capture watermarks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from experience_api.gateway import Gateway
from experience_api.readiness import readiness
from experience_api.security.principal import Principal
from process_apis.change_capture.port import Watermark
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.events.relay import RELAY_LEASE
from process_apis.events.status import OutboxStatus, outbox_status
from process_apis.quarantine.port import QuarantineFilter, QuarantineStatus
from process_apis.webhooks.model import Delivery, DeliveryFilter, Subscription
from system_apis.contracts.wrapping import find_wrapper
from system_apis.resilience.adapter import ResilientAdapter


@dataclass(frozen=True)
class ConnectionHealth:
    """One ERP connection as ``/ready`` sees it, with its resilience figures (None for a
    connection without the resilience wrapper)."""

    name: str
    health: str
    breaker: str | None
    calls: int | None = None
    attempts: int | None = None
    failures: int | None = None
    error_rate: float | None = None
    mean_latency_ms: float | None = None


@dataclass(frozen=True)
class Overview:
    status: str
    state: str
    broker: str
    connections: list[ConnectionHealth]
    outbox: OutboxStatus
    relay_active: bool
    quarantine_open: int
    quarantine_pending: int
    watermarks: list[Watermark]


async def overview(gateway: Gateway, principal: Principal) -> Overview:
    """The overview as ``principal`` may see it: the connections (their health, quarantine
    counts and watermarks) of its companies only; the state, broker and outbox are the
    gateway's."""
    _, ready = await readiness(gateway)
    checks = ready["checks"]
    assert isinstance(checks, dict)
    health: dict[str, str] = checks["connections"]
    visible = principal.visible(health)
    outbox = await outbox_status(gateway.engine, RELAY_LEASE)
    now = dt.datetime.now(dt.UTC)
    marks = await SqlWatermarkStore(gateway.engine).list_all()
    return Overview(
        status=str(ready["status"]),
        state=str(checks["state"]),
        broker=str(checks["broker"]),
        connections=[_connection(gateway, name, health[name]) for name in visible],
        outbox=outbox,
        relay_active=outbox.relay_lease_until is not None and outbox.relay_lease_until >= now,
        quarantine_open=await _count(gateway, principal, QuarantineStatus.OPEN),
        quarantine_pending=await _count(gateway, principal, QuarantineStatus.PENDING),
        watermarks=[mark for mark in marks if principal.may_see(mark.connection)],
    )


async def _count(gateway: Gateway, principal: Principal, status: QuarantineStatus) -> int:
    review = gateway.services.quarantine
    if principal.connections is None:
        return (await review.list(QuarantineFilter(status=status), limit=1)).total
    total = 0
    for name in principal.visible(gateway.services.connections.names):
        total += (await review.list(QuarantineFilter(status, connection=name), limit=1)).total
    return total


def _connection(gateway: Gateway, name: str, health: str) -> ConnectionHealth:
    adapter = find_wrapper(gateway.services.connections.get(name), ResilientAdapter)
    if adapter is None:
        return ConnectionHealth(name=name, health=health, breaker=None)
    counters = adapter.counters
    latency = counters.mean_latency
    return ConnectionHealth(
        name=name,
        health=health,
        breaker=adapter.state.value,
        calls=counters.calls,
        attempts=counters.attempts,
        failures=counters.failures,
        error_rate=counters.error_rate,
        mean_latency_ms=None if latency is None else latency * 1000,
    )


@dataclass(frozen=True)
class Webhooks:
    enabled: bool
    subscriptions: list[Subscription]
    deliveries: list[Delivery]
    total_deliveries: int


async def webhooks(gateway: Gateway, limit: int = 50) -> Webhooks:
    admin = gateway.services.webhooks
    if admin is None:
        return Webhooks(enabled=False, subscriptions=[], deliveries=[], total_deliveries=0)
    page = await admin.deliveries(DeliveryFilter(), limit=limit)
    return Webhooks(
        enabled=True,
        subscriptions=await admin.list(),
        deliveries=list(page.items),
        total_deliveries=page.total,
    )
