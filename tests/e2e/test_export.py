"""Bulk export through the whole gateway: ``GET /export/{kind}`` and ``erp-gateway export``.

Two embedded SAP sandboxes (``EU01``, ``US01``); tokens signed with the development key as
``erp-gateway token`` issues them. An export must hold exactly what paging through GraphQL
gives, under the same policy: scopes per kind, companies, credit limits only with
``credit:read``, one audit entry per export.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.export_command import export as export_command
from experience_api.security.dev_keys import load_dev_key
from experience_api.settings import Settings

pytestmark = pytest.mark.e2e

LISTS = {
    "customers": "customers",
    "products": "products",
    "inventory": "inventory",
    "sales_orders": "salesOrders",
    "invoices": "invoices",
}


class Gateway:
    def __init__(self, client: httpx.AsyncClient, settings: Settings, audit: Any) -> None:
        self.client = client
        self.settings = settings
        self.audit = audit

    def token(self, *roles: str, companies: tuple[str, ...] = ("*",)) -> str:
        key = load_dev_key(self.settings.data_dir)
        assert key is not None
        return key.issue(audience="erp-gateway", subject="e2e", roles=roles, companies=companies)

    async def export(self, token: str, kind: str, connection: str | None = None) -> httpx.Response:
        params = {"connection": connection} if connection else {}
        return await self.client.get(
            f"/export/{kind}", params=params, headers={"Authorization": f"Bearer {token}"}
        )

    async def paged_ids(self, token: str, kind: str, connection: str) -> list[str]:
        field = LISTS[kind]
        query = f"""query($c: String, $after: String) {{ {field}(connection: $c, first: 100,
            after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"""
        ids: list[str] = []
        after = None
        while True:
            response = await self.client.post(
                "/graphql",
                json={"query": query, "variables": {"c": connection, "after": after}},
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            assert "errors" not in body, body
            page = body["data"][field]
            ids.extend(node["id"] for node in page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                return ids
            after = page["pageInfo"]["endCursor"]


def records(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    settings = Settings(
        data_dir=tmp_path,
        connections=[ConnectionSettings(name="EU01"), ConnectionSettings(name="US01")],
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Gateway(client, settings, app.state.gateway.services.audit)


@pytest.mark.parametrize("kind", sorted(LISTS))
async def test_an_export_is_what_paging_through_graphql_gives(gateway: Gateway, kind: str) -> None:
    token = gateway.token("sales", "finance")
    exported = records(await gateway.export(token, kind, "EU01"))
    assert exported, f"the sandbox has {kind}"
    assert all("error" not in record for record in exported)
    assert [r["id"] for r in exported] == await gateway.paged_ids(token, kind, "EU01")
    assert {r["source"]["connection"] for r in exported} == {"EU01"}


async def test_without_a_connection_every_visible_connection_is_exported(gateway: Gateway) -> None:
    everywhere = records(await gateway.export(gateway.token("sales"), "products"))
    assert everywhere[0]["source"]["connection"] == "EU01"
    assert {r["source"]["connection"] for r in everywhere} == {"EU01", "US01"}
    only_eu = records(await gateway.export(gateway.token("sales", companies=("EU01",)), "products"))
    assert only_eu == [r for r in everywhere if r["source"]["connection"] == "EU01"]


async def test_another_companys_connection_is_refused_as_unknown(gateway: Gateway) -> None:
    token = gateway.token("sales", companies=("EU01",))
    refused = await gateway.export(token, "customers", "US01")
    unknown = await gateway.export(token, "customers", "XX99")
    assert refused.status_code == unknown.status_code == 400
    assert refused.json()["error"]["message"] == "unknown connection 'US01'"
    assert unknown.json()["error"]["message"] == "unknown connection 'XX99'"


async def test_credit_limits_only_with_credit_read(gateway: Gateway) -> None:
    sales = records(await gateway.export(gateway.token("sales"), "customers", "EU01"))
    finance = records(await gateway.export(gateway.token("finance"), "customers", "EU01"))
    assert all("credit_limit" not in record for record in sales)
    assert [r["id"] for r in sales] == [r["id"] for r in finance]
    limits = [r["credit_limit"] for r in finance if r["credit_limit"] is not None]
    assert limits, "the sandbox seeds credit accounts"
    assert all(limit["amount"]["amount"] for limit in limits)


async def test_the_kind_needs_its_read_scope(gateway: Gateway) -> None:
    response = await gateway.export(gateway.token("hr"), "invoices", "EU01")
    assert response.status_code == 403
    assert response.json()["error"]["requiredScope"] == "invoices:read"
    assert (await gateway.export(gateway.token("sales"), "invoices", "EU01")).status_code == 403
    unknown = await gateway.export(gateway.token("sales"), "employees", "EU01")
    assert unknown.status_code == 400
    forged = await gateway.client.get(
        "/export/products", headers={"Authorization": "Bearer not.a.token"}
    )
    assert forged.status_code == 401


async def test_each_export_leaves_one_audit_entry(gateway: Gateway) -> None:
    before = [e async for e in gateway.audit.entries()]
    records(await gateway.export(gateway.token("finance"), "customers", "EU01"))
    records(await gateway.export(gateway.token("sales"), "products"))
    after = [e async for e in gateway.audit.entries()][len(before) :]
    assert [(e.action, e.actor, e.connection) for e in after] == [
        ("export:customers", "e2e", "EU01"),
        ("export:products", "e2e", None),
    ]
    assert after[0].details == {"connections": ["EU01"], "fields": ["credit_limit"]}
    assert after[1].details == {"connections": ["EU01", "US01"], "fields": []}


async def test_the_command_writes_what_the_route_answers(gateway: Gateway) -> None:
    token = gateway.token("sales", "finance", "admin")
    over_http = (await gateway.export(token, "inventory", "US01")).content
    out = io.BytesIO()
    code = await export_command(gateway.settings, "inventory", "US01", out, None)
    assert code == 0
    assert out.getvalue() == over_http
    assert await export_command(gateway.settings, "nothing", None, io.BytesIO(), None) == 2


async def test_exported_orders_carry_the_erps_tax(gateway: Gateway) -> None:
    exported = records(await gateway.export(gateway.token("sales"), "sales_orders", "EU01"))
    taxed = [r for r in exported if Decimal(r["tax_amount"]["amount"]) > 0]
    assert taxed, "the SAP seed's orders for German customers are taxed"
    for order in exported:
        net, tax = Decimal(order["net_amount"]["amount"]), Decimal(order["tax_amount"]["amount"])
        assert Decimal(order["gross_amount"]["amount"]) == net + tax
        lines = [Decimal(line["tax_amount"]["amount"]) for line in order["lines"]]
        assert sum(lines) == tax
