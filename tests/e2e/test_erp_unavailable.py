"""When the ERP cannot be reached, clients get a typed answer (pending) and no internals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from process_apis.quarantine.port import QuarantineFilter
from tests.e2e.conftest import Running
from tests.e2e.order_flow import PLACE
from tests.e2e.processes import free_port


@pytest.fixture
async def unreachable(tmp_path: Path) -> AsyncIterator[Running]:
    # Nothing listens on this loopback port: every ERP call fails to connect.
    dead = ConnectionSettings(
        name="EU01",
        base_url=f"http://127.0.0.1:{free_port()}",
        username="GATEWAY",
        password="sandbox",  # type: ignore[arg-type]
        timeout_seconds=2,
    )
    app = create_app(Settings(data_dir=tmp_path, connections=[dead]))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway)


PENDING = PLACE.replace("errors {", "status pending { id retryAt reason } errors {")


async def test_mutation_reports_the_order_pending_without_internals(
    unreachable: Running,
) -> None:
    order = {
        "idempotencyKey": "down-1",
        "customerId": "EU01:10100001",
        "lines": [{"sku": "TG11", "quantity": "1"}],
    }
    body = await unreachable.gql(PENDING, {"input": order})
    payload = body["data"]["placeOrder"]
    assert payload["order"] is None
    assert payload["errors"] == []
    assert payload["status"] == "PENDING"
    assert payload["pending"]["id"]
    assert payload["pending"]["retryAt"]
    assert "retried automatically" in payload["pending"]["reason"]
    assert "127.0.0.1" not in str(body)


async def test_mutation_reports_erp_unavailable_without_automatic_retries(
    tmp_path: Path,
) -> None:
    dead = ConnectionSettings(
        name="EU01",
        base_url=f"http://127.0.0.1:{free_port()}",
        username="GATEWAY",
        password="sandbox",  # type: ignore[arg-type]
        timeout_seconds=2,
    )
    app = create_app(Settings(data_dir=tmp_path, connections=[dead], pending_retries=False))
    order = {
        "idempotencyKey": "down-1",
        "customerId": "EU01:10100001",
        "lines": [{"sku": "TG11", "quantity": "1"}],
    }
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            running = Running(client=client, gateway=app.state.gateway)
            body = await running.gql(PENDING, {"input": order})
    payload = body["data"]["placeOrder"]
    assert payload["order"] is None
    assert payload["status"] == "NOT_PLACED"
    [error] = payload["errors"]
    assert error["__typename"] == "ErpUnavailableError"
    assert error["code"] == "ERP_UNAVAILABLE"
    assert "127.0.0.1" not in error["message"]


async def test_query_reports_erp_unavailable_without_internals(unreachable: Running) -> None:
    body = await unreachable.gql("{ customers(first: 5) { nodes { id } } }")
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "ERP_UNAVAILABLE"
    assert "127.0.0.1" not in str(body)
    assert "Traceback" not in str(body)


async def test_a_retry_during_the_outage_creates_nothing(unreachable: Running) -> None:
    order = {
        "idempotencyKey": "down-2",
        "customerId": "EU01:10100001",
        "lines": [{"sku": "TG11", "quantity": "1"}],
    }
    first = await unreachable.gql(PENDING, {"input": order})
    again = await unreachable.gql(PENDING, {"input": order})
    # The order is kept pending: the retry is answered with its state, the same record.
    first_payload = first["data"]["placeOrder"]
    again_payload = again["data"]["placeOrder"]
    assert first_payload["status"] == again_payload["status"] == "PENDING"
    assert first_payload["pending"]["id"] == again_payload["pending"]["id"] is not None
    records = await unreachable.gateway.services.quarantine.list(QuarantineFilter(), limit=10)
    assert records.total == 1
