"""The Business Central adapter over real HTTP against its sandbox (uvicorn in a thread):
Entra ID tokens and their refusal, server-driven paging, stale ETags, the request quota, and
a create whose answer was lost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest

from erp_sandbox.business_central import SandboxSettings, create_app
from erp_sandbox.business_central.auth import issue_token
from erp_sandbox.faults import Fault, FaultPlan
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import EMBEDDED_TENANT
from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest
from tests.integration.sandbox.test_faults_http import served

pytestmark = pytest.mark.integration

COMPANY = "CRONUS International Ltd."


@contextmanager
def sandbox(**options: Any) -> Iterator[tuple[str, Any]]:
    app = create_app(SandboxSettings(tenant=EMBEDDED_TENANT, **options))
    with served(app) as url:  # type: ignore[arg-type]
        yield url, app.state.sandbox  # type: ignore[attr-defined]


def adapter(url: str, secret: str = "sandbox") -> BusinessCentralAdapter:
    client = BcClient(
        api_url=url,
        login_url=url,
        tenant=EMBEDDED_TENANT,
        environment="production",
        company=COMPANY,
        client_id="gateway",
        client_secret=secret,
        timeout=5,
    )
    return BusinessCentralAdapter("BC01", client)


async def test_collections_page_with_next_links() -> None:
    with sandbox(max_page_size=7) as (url, _):
        bc = adapter(url)
        try:
            chunks = [len(chunk) async for chunk in bc.stream_customers(CustomerFilter())]
            page = await bc.list_customers(CustomerFilter(), PageRequest(offset=3, limit=20))
            everything = await bc.list_customers(CustomerFilter(), PageRequest(limit=100))
        finally:
            await bc.aclose()
    assert chunks == [7, 7, 7, 7, 2]
    assert page.total == everything.total == 30
    assert [c.id for c in page.items] == [c.id for c in everything.items[3:23]]


async def test_a_wrong_client_secret_is_refused_by_entra_id() -> None:
    with sandbox() as (url, state):
        bc = adapter(url, secret="wrong")
        try:
            with pytest.raises(errors.AuthenticationFailed) as refused:
                await bc.list_customers(CustomerFilter(), PageRequest(limit=1))
        finally:
            await bc.aclose()
        assert "AADSTS7000215" in refused.value.message
        assert state.request_count == 0  # the API was never called


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"lifetime": -60}, "expired"),
        ({"audience": "https://graph.microsoft.com"}, "audience"),
        ({"tenant": "11111111-2222-3333-4444-555555555555"}, "tenant"),
    ],
)
async def test_expired_foreign_and_wrong_audience_tokens_are_refused(
    claims: dict[str, Any], reason: str
) -> None:
    with sandbox() as (url, state):
        token = issue_token(state.settings, **claims)
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.get(
                f"/v2.0/{EMBEDDED_TENANT}/production/api/v2.0/companies",
                headers={"Authorization": f"Bearer {token}"},
            )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "Authentication_InvalidCredentials"
    assert reason in response.json()["error"]["message"]


async def test_a_stale_etag_is_a_conflict_and_changes_nothing() -> None:
    with sandbox() as (url, state):
        bc = adapter(url)
        try:
            order = await _order(bc, "GWetag-0001")
            client: BcClient = bc._client
            query = {"$filter": f"number eq '{order.number}'", "$expand": "salesOrderLines"}
            [row] = (await client.get("salesOrders", query))["value"]
            line = row["salesOrderLines"][0]
            path = f"salesOrders({row['id']})/salesOrderLines({line['id']})"
            await client.patch(path, {"shipQuantity": 1}, line["@odata.etag"])
            with pytest.raises(errors.Conflict):
                await client.patch(path, {"shipQuantity": 2}, line["@odata.etag"])
        finally:
            await bc.aclose()
        [stored] = [r for r in state.store.rows("salesOrderLines") if r["id"] == line["id"]]
        assert stored["shipQuantity"] == 1


async def test_past_the_request_quota_bc_throttles_with_retry_after() -> None:
    with sandbox(request_quota=4, quota_window=60) as (url, state):
        bc = adapter(url)
        try:
            for _ in range(3):  # the company lookup and three reads fill the quota of four
                await bc.list_customers(CustomerFilter(), PageRequest(limit=1))
            with pytest.raises(errors.Throttled) as throttled:
                await bc.list_customers(CustomerFilter(), PageRequest(limit=1))
        finally:
            await bc.aclose()
        assert throttled.value.retry_after is not None
        assert 1 <= throttled.value.retry_after <= 60
        assert state.limits.refused == 1


async def test_a_lost_create_answer_is_resolved_by_its_reference_not_a_second_order() -> None:
    with sandbox() as (url, state):
        bc = adapter(url)
        try:
            await bc.list_customers(CustomerFilter(), PageRequest(limit=1))
            state.faults.set(
                FaultPlan(faults=(Fault(kind="reset_after_write", path="/salesOrders", count=1),))
            )
            order = await _order(bc, "GWlost-0001")
            again = await _order(bc, "GWlost-0001")
        finally:
            await bc.aclose()
        stored = [
            r
            for r in state.store.rows("salesOrders")
            if r["externalDocumentNumber"] == "GWlost-0001"
        ]
        assert [r["number"] for r in stored] == [order.number]
        assert again.id == order.id
        assert state.faults.stats()["injected"]["reset_after_write"] == 1


async def _order(bc: BusinessCentralAdapter, reference: str) -> Any:
    customer = (await bc.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    levels = (await bc.list_inventory(InventoryFilter(), PageRequest(limit=1000))).items
    level = max(levels, key=lambda lv: lv.quantity.value)
    return await bc.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=reference,
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(2), location=level.location),),
        )
    )
