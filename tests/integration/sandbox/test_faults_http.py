"""Faults of the SAP sandbox over real HTTP: uvicorn in a thread, and ``erp-gateway sandbox sap``.

A dropped connection must reach the client as a transport error (no HTTP status at all) while
the write it lost stays committed, and uvicorn must not log an application error for it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from erp_sandbox.faults import Fault, FaultPlan
from erp_sandbox.sap import Sandbox
from tests.e2e.processes import command, free_port
from tests.integration.sandbox.support import PASSWORD, SO, USER, order_body

ORDERS = f"{SO}/A_SalesOrder"


@contextmanager
def served(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def _order(http: httpx.Client, token: str, reference: str) -> httpx.Response:
    body = order_body(TG11="2")
    body["PurchaseOrderByCustomer"] = reference
    return http.post(ORDERS, json=body, headers={"X-CSRF-Token": token})


def _orders_with(http: httpx.Client, reference: str) -> list[dict[str, object]]:
    found = http.get(ORDERS, params={"$filter": f"PurchaseOrderByCustomer eq '{reference}'"})
    assert found.status_code == 200
    results: list[dict[str, object]] = found.json()["d"]["results"]
    return results


def test_uvicorn_drops_the_connection_after_committing_the_write(
    app: Starlette, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    before = sandbox.count("A_SalesOrder")
    with (
        served(app) as url,
        httpx.Client(base_url=url, auth=(USER, PASSWORD), headers={"Accept": "json"}) as http,
    ):
        token = http.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        sandbox.faults.set(FaultPlan((Fault("reset_after_write", count=1),)))
        with pytest.raises(httpx.TransportError):
            _order(http, token, "GW-LOST")
        assert sandbox.count("A_SalesOrder") == before + 1
        assert len(_orders_with(http, "GW-LOST")) == 1
        assert _order(http, token, "GW-AGAIN").status_code == 201

        sandbox.faults.set(FaultPlan((Fault("down", disconnect=True, count=1),)))
        with pytest.raises(httpx.TransportError):
            _order(http, token, "GW-DOWN")
        sandbox.faults.set(FaultPlan((Fault("down", retry_after=5, count=1),)))
        answered = _order(http, token, "GW-DOWN")
        assert answered.status_code == 503
        assert answered.headers["retry-after"] == "5"
        assert _orders_with(http, "GW-DOWN") == []
    assert sandbox.count("A_SalesOrder") == before + 2
    assert sandbox.faults.stats()["injected"]["down"] == 1
    assert [r.getMessage() for r in caplog.records if r.name.startswith("uvicorn")] == []


def test_faults_over_the_admin_endpoints_of_the_sandbox_command(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["sandbox", "sap", "--port", str(port), "--data-dir", str(tmp_path / "sap")]
    with (
        command(args, f"{url}/sandbox/health"),
        httpx.Client(base_url=url, auth=(USER, PASSWORD), headers={"Accept": "json"}) as http,
    ):
        token = http.get(f"{SO}/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        plan = {"faults": [{"kind": "reset_after_write", "count": 1, "path": "A_SalesOrder"}]}
        assert http.post("/sandbox/faults", json=plan).status_code == 200
        with pytest.raises(httpx.TransportError):
            _order(http, token, "GW-LOST")
        assert len(_orders_with(http, "GW-LOST")) == 1
        state = http.get("/sandbox/faults").json()
        assert state["stats"]["injected"]["reset_after_write"] == 1
        assert state["stats"]["requests_seen"] == 2
        assert http.delete("/sandbox/faults").json()["plan"]["faults"] == []
