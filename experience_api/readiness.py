"""``GET /ready``: whether this replica can serve, and the state of what it depends on.

Each check is ``ready``, ``degraded`` or ``down``: the state database (a query), the event
broker (RabbitMQ connected; the in-process bus always is) and each ERP connection (its circuit
breaker, so a probe never calls an ERP: closed is ready, half-open degraded, open down). The
replica is unavailable (503) when the state database or the broker is down, or every ERP
connection is; otherwise 200, with ``status`` ``degraded`` while some check is not ready.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import text

from experience_api.gateway import Gateway
from process_apis.events.rabbitmq import RabbitMqBus
from system_apis.contracts.wrapping import find_wrapper
from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.breaker import BreakerState

Check = Literal["ready", "degraded", "down"]

_BREAKER: dict[BreakerState, Check] = {
    BreakerState.CLOSED: "ready",
    BreakerState.HALF_OPEN: "degraded",
    BreakerState.OPEN: "down",
}


async def readiness(gateway: Gateway) -> tuple[int, dict[str, object]]:
    """The HTTP status and the body of ``GET /ready``."""
    connections: dict[str, Check] = {}
    for name in gateway.services.connections.names:
        resilient = find_wrapper(gateway.services.connections.get(name), ResilientAdapter)
        connections[name] = "ready" if resilient is None else _BREAKER[resilient.state]
    state = await _state(gateway)
    broker = _broker(gateway)
    checks = [state, broker, *connections.values()]
    unavailable = "down" in (state, broker) or all(c == "down" for c in connections.values())
    status = (
        "unavailable" if unavailable else "ok" if all(c == "ready" for c in checks) else "degraded"
    )
    body: dict[str, object] = {
        "status": status,
        "checks": {"state": state, "broker": broker, "connections": connections},
    }
    return (503 if unavailable else 200), body


async def _state(gateway: Gateway) -> Check:
    try:
        async with gateway.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return "down"
    return "ready"


def _broker(gateway: Gateway) -> Check:
    bus = gateway.services.events
    if isinstance(bus, RabbitMqBus):
        return "ready" if bus.connected else "down"
    return "ready"
