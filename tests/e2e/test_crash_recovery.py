"""A gateway killed with SIGKILL while orders are in flight: after a restart every accepted
order reaches the ERP exactly once. Real processes: the SAP sandbox and the gateway; the
gateway's state on SQLite, then on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from process_apis.order_to_invoice.commands import PlaceOrder
from system_apis.sap.mapping.defaults import SAP_LIMITS
from tests.e2e.processes import command, free_port
from tests.support.state import database_dsn, database_url, postgres_database

SAP_AUTH = ("GATEWAY", "sandbox")
ORDERS = 20
WRITE_DELAY_MS = 1500
PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { __typename code message } }
}"""


def reference(key: str) -> str:
    """The order's reference in the ERP: it derives from the idempotency key alone."""
    return PlaceOrder.model_construct(idempotency_key=key).external_reference(SAP_LIMITS)


KEYS = "SELECT key, state FROM idempotency_keys"


@dataclass
class State:
    """The gateway's state database, read the way an operator would, beside the gateway."""

    env: dict[str, str]
    sqlite_file: Path | None = None
    postgres_dsn: str | None = None

    def keys_by_state(self) -> dict[str, str]:
        """Idempotency key → state."""
        if self.sqlite_file is not None:
            if not self.sqlite_file.exists():
                return {}
            with sqlite3.connect(self.sqlite_file, timeout=30) as db:
                try:
                    return dict(db.execute(KEYS).fetchall())
                except sqlite3.OperationalError:  # not migrated yet
                    return {}
        return asyncio.run(self._postgres_keys())

    async def _postgres_keys(self) -> dict[str, str]:
        conn = await asyncpg.connect(self.postgres_dsn)
        try:
            return {row["key"]: row["state"] for row in await conn.fetch(KEYS)}
        except asyncpg.UndefinedTableError:  # not migrated yet
            return {}
        finally:
            await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[State]:
    if request.param == "sqlite":
        yield State(env={}, sqlite_file=tmp_path / "gw" / "gateway.sqlite")
        return
    with postgres_database("crash") as name:
        yield State(
            env={"ERP_GATEWAY_DATABASE_URL": database_url(name)},
            postgres_dsn=database_dsn(name),
        )


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def orders_with_reference(sap: str, ref: str) -> int:
    response = httpx.get(
        f"{sap}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder",
        params={"$filter": f"PurchaseOrderByCustomer eq '{ref}'", "$format": "json"},
        auth=SAP_AUTH,
    )
    response.raise_for_status()
    return len(response.json()["d"]["results"])


def send(gateway: str, key: str) -> str:
    """Place one order; what the client saw (the gateway may die before it answers)."""
    order = {"idempotencyKey": key, "customerId": "EU01:10100001",
             "lines": [{"sku": "TG11", "quantity": "1"}]}  # fmt: skip
    try:
        response = httpx.post(
            f"{gateway}/graphql", json={"query": PLACE, "variables": {"input": order}}, timeout=30
        )
    except httpx.TransportError:
        return "no answer"
    return "placed" if response.json()["data"]["placeOrder"]["order"] else "refused"


def test_orders_in_flight_when_the_gateway_is_killed_are_placed_once(
    tmp_path: Path, state: State
) -> None:
    sap_port, gw_port = free_port(), free_port()
    sap, gateway = f"http://127.0.0.1:{sap_port}", f"http://127.0.0.1:{gw_port}"
    connection = {"name": "EU01", "kind": "sap", "base_url": sap,
                  "username": "GATEWAY", "password": "sandbox"}  # fmt: skip
    gw_args = ["serve", "--port", str(gw_port), "--data-dir", str(tmp_path / "gw")]
    env = {
        "ERP_GATEWAY_CONNECTIONS": json.dumps([connection]),
        "ERP_GATEWAY_GRAPHIQL": "false",
        **state.env,
    }
    # After the restart a claim untouched for a second counts as dead: the test need not
    # wait out the production timeout. Before the kill it is long, so nothing is resumed.
    restart_env = {**env, "ERP_GATEWAY_IN_FLIGHT_TIMEOUT_SECONDS": "1",
                   "ERP_GATEWAY_RECOVERY_INTERVAL_SECONDS": "1"}  # fmt: skip
    keys = [f"crash-{i:02d}" for i in range(ORDERS)]
    sandbox_args = ["sandbox", "sap", "--port", str(sap_port), "--data-dir", str(tmp_path / "sap")]

    with command(sandbox_args, f"{sap}/sandbox/stats"):
        slow_writes = {"faults": [{"kind": "slow", "scope": "writes", "delay_ms": WRITE_DELAY_MS}]}
        httpx.post(f"{sap}/sandbox/faults", json=slow_writes, auth=SAP_AUTH).raise_for_status()

        with (
            command(gw_args, f"{gateway}/health", env=env) as first,
            ThreadPoolExecutor(max_workers=ORDERS) as clients,
        ):
            answers = [clients.submit(send, gateway, key) for key in keys]
            wait_until(lambda: len(state.keys_by_state()) == ORDERS, 30, "orders not claimed")
            time.sleep(0.5)  # into the slow writes
            first.kill()
            first.wait()
            at_kill = state.keys_by_state()
            seen_by_clients = [a.result() for a in answers]

        claimed = set(at_kill)
        in_flight = {k for k, state in at_kill.items() if state == "in_progress"}
        assert claimed == set(keys)
        assert in_flight, "every order finished before the kill: nothing was in flight"
        # The writes the dead gateway had sent still land in SAP; then SAP is healthy again.
        time.sleep(WRITE_DELAY_MS / 1000 + 1)
        httpx.delete(f"{sap}/sandbox/faults", auth=SAP_AUTH).raise_for_status()
        landed = {k for k in keys if orders_with_reference(sap, reference(k))}

        with command(gw_args, f"{gateway}/health", env=restart_env):
            wait_until(
                lambda: set(state.keys_by_state().values()) == {"completed"},
                60,
                f"orders not recovered: {state.keys_by_state()}",
            )
            # Once recovered, a client retry is answered from the key, without a new order.
            assert send(gateway, keys[0]) == "placed"

        copies = {k: orders_with_reference(sap, reference(k)) for k in keys}

    print(
        f"\ncrash test: sent {ORDERS}, claimed {len(claimed)}, in flight at the kill "
        f"{len(in_flight)}, answered before the kill {seen_by_clients.count('placed')}, "
        f"in SAP before the restart {len(landed)}, recovered {len(in_flight)}, "
        f"duplicates {sum(n - 1 for n in copies.values() if n > 1)}"
    )
    assert copies == dict.fromkeys(keys, 1)
