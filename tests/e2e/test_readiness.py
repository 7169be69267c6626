"""``GET /ready`` reports each ERP connection and the broker; ``/health`` stays liveness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from experience_api.settings import Settings
from tests.e2e.processes import free_port
from tests.e2e.test_limits import serve

# Nothing listens on these loopback ports: every call fails to connect.
QUICK_BREAKER = {
    "read_attempts": 1,
    "breaker_window": 2,
    "breaker_min_calls": 2,
    "breaker_failure_ratio": 0.4,
    "breaker_open_seconds": 60,
}


def dead_sap(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "sap",
        "base_url": f"http://127.0.0.1:{free_port()}",
        "username": "GATEWAY",
        "password": "sandbox",
        "timeout_seconds": 2,
        "resilience": QUICK_BREAKER,
    }


async def test_all_ready(tmp_path: Path) -> None:
    async with serve(Settings(data_dir=tmp_path)) as running:
        ready = await running.client.get("/ready")
        health = await running.client.get("/health")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"state": "ready", "broker": "ready", "connections": {"EU01": "ready"}},
    }
    assert (health.status_code, health.json()) == (200, {"status": "ok"})


async def test_an_erp_down_degrades_and_all_down_is_unavailable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, connections=[{"name": "EU01"}, dead_sap("EU02")])
    async with serve(settings) as running:
        for _ in range(3):
            await running.client.post(
                "/graphql", json={"query": '{ customers(connection: "EU02") { totalCount } }'}
            )
        degraded = await running.client.get("/ready")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["checks"]["connections"] == {"EU01": "ready", "EU02": "down"}

    only_dead = Settings(data_dir=tmp_path / "dead", connections=[dead_sap("EU02")])
    async with serve(only_dead) as running:
        for _ in range(3):
            await running.client.post("/graphql", json={"query": "{ customers { totalCount } }"})
        down = await running.client.get("/ready")
        health = await running.client.get("/health")
    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["checks"]["connections"] == {"EU02": "down"}
    assert health.status_code == 200


async def test_a_broker_out_of_reach_is_unavailable(tmp_path: Path) -> None:
    events = {"broker": "rabbitmq", "rabbitmq_url": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    async with serve(Settings(data_dir=tmp_path, events=events)) as running:
        ready = await running.client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"] == "down"
    assert ready.json()["checks"]["connections"] == {"EU01": "ready"}
