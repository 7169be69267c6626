"""Fault plans of the Business Central sandbox, set through its admin endpoint, reach the
adapter as the project's errors; the admin endpoints themselves never fail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from erp_sandbox.business_central import SandboxSettings, create_app
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import EMBEDDED_TENANT
from system_apis.contracts import errors
from system_apis.contracts.queries import CustomerFilter, PageRequest

pytestmark = pytest.mark.integration

BASE = "http://bc.test"


@pytest.fixture
async def bc() -> AsyncIterator[tuple[BusinessCentralAdapter, httpx.AsyncClient, Any]]:
    app = create_app(SandboxSettings(tenant=EMBEDDED_TENANT))
    transport = httpx.ASGITransport(app=app)
    client = BcClient(
        api_url=BASE,
        login_url=BASE,
        tenant=EMBEDDED_TENANT,
        environment="production",
        company="CRONUS International Ltd.",
        client_id="gateway",
        client_secret="sandbox",
        transport=transport,
    )
    adapter = BusinessCentralAdapter("BC01", client)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, auth=("gateway", "sandbox")
    ) as admin:
        yield adapter, admin, app.state.sandbox  # type: ignore[attr-defined]
    await adapter.aclose()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"kind": "throttle", "retry_after": 7}, errors.Throttled),
        ({"kind": "down", "retry_after": 30}, errors.Unavailable),
        ({"kind": "error_burst", "statuses": [500]}, errors.Unavailable),
        ({"kind": "malformed", "body": "truncated"}, errors.Unavailable),
        ({"kind": "malformed", "body": "html"}, errors.Unavailable),
    ],
)
async def test_a_planned_fault_is_the_matching_error(
    bc: tuple[BusinessCentralAdapter, httpx.AsyncClient, Any],
    fault: dict[str, Any],
    expected: type[errors.ErpError],
) -> None:
    adapter, admin, _ = bc
    await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))  # token and company
    plan = await admin.post("/sandbox/faults", json={"faults": [{**fault, "count": 1}]})
    assert plan.status_code == 200
    with pytest.raises(expected) as raised:
        await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    if "retry_after" in fault:
        assert raised.value.retry_after == fault["retry_after"]  # type: ignore[attr-defined]
    after = await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    assert after.items
    stats = (await admin.get("/sandbox/faults")).json()["stats"]
    assert stats["injected"][fault["kind"]] == 1


async def test_admin_endpoints_need_the_app_s_credentials_and_reset_the_data(
    bc: tuple[BusinessCentralAdapter, httpx.AsyncClient, Any],
) -> None:
    _, admin, state = bc
    async with httpx.AsyncClient(transport=admin._transport, base_url=BASE) as anonymous:
        assert (await anonymous.post("/sandbox/reset")).status_code == 401
    orders = len(state.store.rows("salesOrders"))
    state.store.create_order(
        {"customerNumber": "C10000",
         "salesOrderLines": [{"lineObjectNumber": "1900-S", "quantity": 1}]}
    )  # fmt: skip
    assert (await admin.post("/sandbox/reset")).status_code == 200
    assert len(state.store.rows("salesOrders")) == orders
    assert (await admin.get("/sandbox/stats")).json()["rows"]["salesOrders"] == orders
