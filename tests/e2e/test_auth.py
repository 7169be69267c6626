"""Roles and companies through the GraphQL API: who may read, change and review what.

The gateway serves two SAP connections (EU01, EU02); callers carry development tokens with
the roles and companies of the case.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.security.config import AuthSettings
from experience_api.settings import Settings
from tests.e2e.conftest import Running

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { message code } }
}"""
FULFIL = "mutation F($id: ID!) { fulfillOrder(orderId: $id) { errors { message } } }"
INVOICE = """
mutation I($id: ID!) { invoiceOrder(orderId: $id) { invoice { id } errors { message } } }"""
CUSTOMERS = "query C($c: String) { customers(first: 100, connection: $c) { nodes { id } } }"
ORDER = "query O($id: ID!) { salesOrder(id: $id) { id } orderStatus(orderId: $id) { status } }"
QUARANTINE = "{ quarantine(first: 5) { totalCount } }"


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Running]:
    settings = Settings(
        data_dir=tmp_path,
        connections=[ConnectionSettings(name="EU01"), ConnectionSettings(name="EU02")],
        # Every call below must carry its token: no anonymous developer to fall back on.
        auth=AuthSettings(local_anonymous=False),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway, settings=settings)


def _forbidden(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN", error
    return error


async def _order_input(gateway: Running, key: str, connection: str = "EU01") -> dict[str, Any]:
    reader = gateway.token("sales")
    body = await gateway.gql(
        "query S($c: String) { customers(first: 1, connection: $c) { nodes { id } } "
        "inventory(first: 100, connection: $c) { nodes { sku quantity { value } } } }",
        {"c": connection},
        token=reader,
    )
    customer = body["data"]["customers"]["nodes"][0]["id"]
    stock = max(body["data"]["inventory"]["nodes"], key=lambda n: float(n["quantity"]["value"]))
    line = {"sku": stock["sku"], "quantity": "1"}
    return {"idempotencyKey": key, "customerId": customer, "lines": [line]}


async def test_sales_places_and_fulfils_finance_invoices(gateway: Running) -> None:
    sales, finance = gateway.token("sales"), gateway.token("finance")
    order_input = await _order_input(gateway, "auth-1")

    placed = await gateway.gql(PLACE, {"input": order_input}, token=sales)
    order_id = placed["data"]["placeOrder"]["order"]["id"]
    fulfilled = await gateway.gql(FULFIL, {"id": order_id}, token=sales)
    sales_invoicing = await gateway.gql(INVOICE, {"id": order_id}, token=sales)
    invoiced = await gateway.gql(INVOICE, {"id": order_id}, token=finance)
    invoices = await gateway.gql("{ invoices(first: 100) { nodes { id } } }", token=finance)

    assert placed["data"]["placeOrder"]["errors"] == []
    assert fulfilled["data"]["fulfillOrder"]["errors"] == []
    assert _forbidden(sales_invoicing)["extensions"]["requiredScope"] == "invoices:write"
    invoice_id = invoiced["data"]["invoiceOrder"]["invoice"]["id"]
    assert invoice_id in {n["id"] for n in invoices["data"]["invoices"]["nodes"]}


async def test_finance_cannot_place_orders(gateway: Running) -> None:
    order_input = await _order_input(gateway, "auth-2")
    before = gateway.gateway.sandboxes["EU01"].state.sandbox.count("A_SalesOrder")

    refused = await gateway.gql(PLACE, {"input": order_input}, token=gateway.token("finance"))

    assert refused["data"] is None
    assert _forbidden(refused)["extensions"]["requiredScope"] == "orders:write"
    assert gateway.gateway.sandboxes["EU01"].state.sandbox.count("A_SalesOrder") == before


async def test_an_agent_reads_but_changes_nothing(gateway: Running) -> None:
    agent = gateway.token("agent")
    order_input = await _order_input(gateway, "auth-3")

    read = await gateway.gql(CUSTOMERS, token=agent)
    place = await gateway.gql(PLACE, {"input": order_input}, token=agent)
    review = await gateway.gql(QUARANTINE, token=agent)

    assert read["data"]["customers"]["nodes"]
    _forbidden(place)
    assert _forbidden(review)["extensions"]["requiredScope"] == "admin"


async def test_only_admin_reviews_the_quarantine(gateway: Running) -> None:
    admin = await gateway.gql(QUARANTINE, token=gateway.token("admin"))
    sales = await gateway.gql(QUARANTINE, token=gateway.token("sales"))

    assert admin["data"]["quarantine"]["totalCount"] == 0
    _forbidden(sales)


async def test_a_caller_sees_only_its_companies(gateway: Running) -> None:
    eu01_only = gateway.token("sales", companies=("EU01",))
    everyone = gateway.token("sales")

    mine = await gateway.gql(CUSTOMERS, token=eu01_only)
    all_ids = await gateway.gql(CUSTOMERS, token=everyone)
    other = await gateway.gql(CUSTOMERS, {"c": "EU02"}, token=eu01_only)
    nothing = await gateway.gql(CUSTOMERS, token=gateway.token("sales", companies=()))

    connections = {i["id"].split(":")[0] for i in mine["data"]["customers"]["nodes"]}
    assert connections == {"EU01"}
    assert {i["id"].split(":")[0] for i in all_ids["data"]["customers"]["nodes"]} == {
        "EU01",
        "EU02",
    }
    _forbidden(other)
    assert nothing["data"]["customers"]["nodes"] == []


async def test_another_companys_records_do_not_exist_and_cannot_be_changed(
    gateway: Running,
) -> None:
    everyone, eu01_only = gateway.token("sales"), gateway.token("sales", companies=("EU01",))
    eu02_input = await _order_input(gateway, "auth-4", connection="EU02")
    placed = await gateway.gql(PLACE, {"input": eu02_input}, token=everyone)
    eu02_order = placed["data"]["placeOrder"]["order"]["id"]

    seen = await gateway.gql(ORDER, {"id": eu02_order}, token=eu01_only)
    place = await gateway.gql(
        PLACE, {"input": {**eu02_input, "idempotencyKey": "auth-5"}}, token=eu01_only
    )
    fulfil = await gateway.gql(FULFIL, {"id": eu02_order}, token=eu01_only)
    visible_to_owner = await gateway.gql(ORDER, {"id": eu02_order}, token=everyone)

    assert seen["data"] == {"salesOrder": None, "orderStatus": None}
    assert "errors" not in seen
    _forbidden(place)
    _forbidden(fulfil)
    assert visible_to_owner["data"]["salesOrder"]["id"] == eu02_order
