"""The Business Central sandbox refuses what BC refuses, with BC's error body, and writes
nothing then: unknown fields and records, bad filters, updates without or with a stale ETag,
postings with nothing to post or too little stock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from erp_sandbox.business_central import SandboxSettings, create_app
from erp_sandbox.business_central.auth import issue_token

pytestmark = pytest.mark.integration


@pytest.fixture
async def bc() -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(SandboxSettings())
    state = app.state.sandbox  # type: ignore[attr-defined]
    root = (
        f"/v2.0/{state.settings.tenant}/production/api/v2.0/companies({state.store.company['id']})"
    )
    headers = {"Authorization": f"Bearer {issue_token(state.settings)}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://bc.test{root}", headers=headers
    ) as client:
        yield client, state


def rows(state: Any) -> dict[str, int]:
    return {name: len(r) for name, r in state.store.tables.items()} | {
        "ledger": len(state.store.ledger)
    }


def order(**values: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customerNumber": "C10000",
        "salesOrderLines": [{"lineType": "Item", "lineObjectNumber": "1900-S", "quantity": 1}],
    }
    body.update(values)
    return body


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (order(customerNumber="NOPE"), "related table (Customer)"),
        (order(salesOrderLines=[{"lineObjectNumber": "NOPE", "quantity": 1}]), "(Item)"),
        (order(salesOrderLines=[{"lineObjectNumber": "1900-S", "quantity": 0}]), "positive"),
        (order(externalDocumentNumber="X" * 36), "less than or equal to 35"),
        (order(colour="blue"), "'colour' does not exist"),
        (order(customerNumber="C10240"), "blocked"),
    ],
)
async def test_a_refused_order_is_answered_with_bc_s_error_and_writes_nothing(
    bc: tuple[httpx.AsyncClient, Any], body: dict[str, Any], text: str
) -> None:
    client, state = bc
    before = rows(state)
    response = await client.post("/salesOrders", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert text in error["message"]
    assert "CorrelationId" in error["message"]
    assert rows(state) == before


@pytest.mark.parametrize(
    "query",
    [
        {"$filter": "colour eq 'blue'"},
        {"$filter": "number eq"},
        {"$select": "number,colour"},
        {"$expand": "customer"},
        {"$orderby": "number sideways"},
        {"$top": "-1"},
        {"$apply": "groupby((city))"},
    ],
)
async def test_bad_query_options_are_400(
    bc: tuple[httpx.AsyncClient, Any], query: dict[str, str]
) -> None:
    client, _ = bc
    response = await client.get("/salesOrders", params=query)
    assert response.status_code == 400
    assert response.json()["error"]["code"].startswith("BadRequest")


async def test_filters_select_and_paging_as_odata_v4(bc: tuple[httpx.AsyncClient, Any]) -> None:
    client, _ = bc
    response = await client.get(
        "/customers",
        params={
            "$filter": "country eq 'GB' and (contains(displayName,'a') or type eq 'Person')",
            "$select": "number,displayName,country",
            "$orderby": "displayName desc",
            "$count": "true",
        },
        headers={"Prefer": "odata.maxpagesize=3"},
    )
    body = response.json()
    assert response.headers["preference-applied"] == "odata.maxpagesize=3"
    assert len(body["value"]) == 3
    assert body["@odata.count"] > 3
    assert all(set(c) == {"@odata.etag", "number", "displayName", "country"} for c in body["value"])
    names = [c["displayName"] for c in body["value"]]
    assert names == sorted(names, reverse=True)
    seen = list(body["value"])
    link = body.get("@odata.nextLink")
    while link:
        page = (await client.get(link, headers={"Prefer": "odata.maxpagesize=3"})).json()
        seen.extend(page["value"])
        link = page.get("@odata.nextLink")
    assert len(seen) == body["@odata.count"]
    assert all(c["country"] == "GB" for c in seen)


async def test_a_line_update_needs_the_current_etag(bc: tuple[httpx.AsyncClient, Any]) -> None:
    client, state = bc
    created = (await client.post("/salesOrders?$expand=salesOrderLines", json=order())).json()
    line = created["salesOrderLines"][0]
    path = f"/salesOrders({created['id']})/salesOrderLines({line['id']})"
    missing = await client.patch(path, json={"shipQuantity": 0})
    assert missing.status_code == 400
    changed = await client.patch(
        path, json={"shipQuantity": 0}, headers={"If-Match": line["@odata.etag"]}
    )
    assert changed.status_code == 200
    assert changed.json()["@odata.etag"] != line["@odata.etag"]
    stale = await client.patch(
        path, json={"shipQuantity": 1}, headers={"If-Match": line["@odata.etag"]}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "Request_EntityChanged"
    [stored] = [r for r in state.store.rows("salesOrderLines") if r["id"] == line["id"]]
    assert stored["shipQuantity"] == 0


async def test_posting_refuses_nothing_to_post_and_a_stock_shortfall(
    bc: tuple[httpx.AsyncClient, Any],
) -> None:
    client, state = bc
    main = state.store.find("locations", "code", "MAIN")["id"]
    stock = state.stock("1900-S", "MAIN")
    line = {"lineObjectNumber": "1900-S", "quantity": int(stock) + 1, "locationId": main,
            "shipQuantity": 0, "invoiceQuantity": 0}  # fmt: skip
    created = (await client.post("/salesOrders?$expand=salesOrderLines",
                                 json=order(salesOrderLines=[line]))).json()  # fmt: skip
    post = f"/salesOrders({created['id']})/Microsoft.NAV.shipAndInvoice"
    before = rows(state)
    nothing = await client.post(post)
    assert nothing.status_code == 400
    assert "nothing to post" in nothing.json()["error"]["message"]
    order_line = created["salesOrderLines"][0]
    await client.patch(
        f"/salesOrders({created['id']})/salesOrderLines({order_line['id']})",
        json={"shipQuantity": int(stock) + 1},
        headers={"If-Match": order_line["@odata.etag"]},
    )
    short = await client.post(post)
    assert short.status_code == 400
    assert "insufficient quantity of Item 1900-S" in short.json()["error"]["message"]
    assert rows(state) == before
    assert state.stock("1900-S", "MAIN") == stock


async def test_an_unknown_company_or_environment_is_not_found(
    bc: tuple[httpx.AsyncClient, Any],
) -> None:
    client, state = bc
    other = f"/v2.0/{state.settings.tenant}/sandbox/api/v2.0/companies"
    assert (await client.get(f"http://bc.test{other}")).status_code == 404
    company = (
        f"http://bc.test/v2.0/{state.settings.tenant}/production/api/v2.0/"
        "companies(11111111-2222-3333-4444-555555555555)/customers"
    )
    response = await client.get(company)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "BadRequest_NotFound"
