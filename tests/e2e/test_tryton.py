"""One gateway in front of two ERPs: the SAP sandbox (EU01) and a real Tryton (US01).

What the gateway did is checked in Tryton itself, over Tryton's own JSON-RPC, never
through the gateway's adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox.tryton import catalog
from erp_sandbox.tryton.rpc import TrytonRpc
from erp_sandbox.tryton.server import RunningTryton
from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from tests.e2e.conftest import Running
from tests.e2e.order_flow import FULFIL, INVOICE, PLACE, STATUS, order_to_invoice
from tests.e2e.test_cancel_order import CANCEL
from tests.e2e.test_taxes import PLACE as TAXED_PLACE


@pytest.fixture
async def gateway(tryton_fresh: RunningTryton, tmp_path: Path) -> AsyncIterator[Running]:
    us01 = ConnectionSettings(
        name="US01",
        kind="tryton",
        base_url=tryton_fresh.url,
        database=tryton_fresh.database,
        username="admin",
        password=tryton_fresh.admin_password,  # type: ignore[arg-type]
    )
    settings = Settings(data_dir=tmp_path, connections=[ConnectionSettings(name="EU01"), us01])
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Running(client=client, gateway=app.state.gateway)


def _amount(money: dict[str, str]) -> Decimal:
    return Decimal(money["amount"])


@pytest.fixture
def tryton(tryton_fresh: RunningTryton) -> Iterator[TrytonRpc]:
    with tryton_fresh.rpc() as rpc:
        yield rpc


async def test_one_query_returns_customers_of_both_erps(gateway: Running) -> None:
    body = await gateway.gql(
        "{ customers(first: 100) { totalCount nodes { id name source { connection erp } } } }"
    )
    customers = body["data"]["customers"]
    sources = {(n["source"]["connection"], n["source"]["erp"]) for n in customers["nodes"]}
    assert sources == {("EU01", "sap"), ("US01", "tryton")}
    assert customers["totalCount"] == len(customers["nodes"])
    names = {n["name"] for n in customers["nodes"]}
    assert {"Müller Maschinenbau GmbH", "Pacific Trail Outfitters"} <= names


async def test_order_to_invoice_on_tryton(gateway: Running, tryton: TrytonRpc) -> None:
    stock = await gateway.gql(
        '{ inventory(first: 100, connection: "US01") '
        "{ nodes { sku location quantity { value } } } }"
    )
    level = max(stock["data"]["inventory"]["nodes"], key=lambda n: Decimal(n["quantity"]["value"]))
    sku, location = level["sku"], level["location"]
    before = tryton.stock(sku, location.split("/")[-1])
    sales_before = tryton.search_count("sale.sale", [])
    order_input = {
        "idempotencyKey": "tryton-e2e-1",
        "customerId": "US01:2",
        "lines": [{"sku": sku, "quantity": "4"}],
    }

    order, invoice = await order_to_invoice(gateway, order_input)
    order_id = order["id"]
    assert order_id.startswith("US01:")
    gross = Decimal(invoice["grossAmount"]["amount"])

    # Tryton's own view of what happened.
    sale_id = int(order_id.split(":")[1])
    assert tryton.search_count("sale.sale", []) == sales_before + 1
    [sale] = tryton.search_read(
        "sale.sale", [("id", "=", sale_id)], ["state", "shipments", "invoices", "total_amount"]
    )
    shipments = tryton.search_read(
        "stock.shipment.out", [("id", "in", sale["shipments"])], ["state"]
    )
    assert [s["state"] for s in shipments] == ["done"]
    invoices = tryton.search_read(
        "account.invoice", [("id", "in", sale["invoices"])], ["state", "total_amount"]
    )
    assert [i["state"] for i in invoices] == ["posted"]
    assert Decimal(str(invoices[0]["total_amount"])) == gross
    assert tryton.stock(sku, location.split("/")[-1]) == before - 4


async def test_a_fraction_of_a_unit_is_refused_before_tryton_is_written(
    gateway: Running, tryton: TrytonRpc
) -> None:
    stock = await gateway.gql('{ inventory(first: 1, connection: "US01") { nodes { sku } } }')
    sku = stock["data"]["inventory"]["nodes"][0]["sku"]
    product = await gateway.gql(
        "query P($c: String, $s: [String!]) { products(connection: $c, filter: {skus: $s}) "
        "{ nodes { baseUnit unitDecimals } } }",
        {"c": "US01", "s": [sku]},
    )
    assert product["data"]["products"]["nodes"] == [{"baseUnit": "u", "unitDecimals": 0}]
    sales_before = tryton.search_count("sale.sale", [])
    line = {"sku": sku, "quantity": "1.5"}
    body = await gateway.gql(
        PLACE, {"input": {"idempotencyKey": "half", "customerId": "US01:2", "lines": [line]}}
    )
    placed = body["data"]["placeOrder"]
    assert placed["order"] is None
    [error] = placed["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "lines.0.quantity")
    assert error["message"].startswith("lines.0.quantity: u allows no decimals")
    assert tryton.search_count("sale.sale", []) == sales_before


async def test_taxed_order_and_invoice_on_tryton(gateway: Running, tryton: TrytonRpc) -> None:
    # The demo products carry a 10% sales tax through their account category.
    lines = [{"sku": "US-1015", "quantity": "5"}, {"sku": "US-1002", "quantity": "2"}]
    order_input = {"idempotencyKey": "tryton-e2e-tax", "customerId": "US01:2", "lines": lines}
    placed = (await gateway.gql(TAXED_PLACE, {"input": order_input}))["data"]["placeOrder"]
    assert placed["errors"] == []
    order = placed["order"]
    net, tax = _amount(order["netAmount"]), _amount(order["taxAmount"])
    assert net == sum(_amount(line["netAmount"]) for line in order["lines"])
    assert tax == (net * catalog.SALES_TAX_RATE).quantize(Decimal("0.01"))
    assert _amount(order["grossAmount"]) == net + tax
    [sale] = tryton.search_read(
        "sale.sale",
        [("id", "=", int(order["id"].split(":")[1]))],
        ["untaxed_amount", "tax_amount", "total_amount"],
    )
    assert (sale["untaxed_amount"], sale["tax_amount"], sale["total_amount"]) == (
        net,
        tax,
        net + tax,
    )

    assert (await gateway.gql(FULFIL, {"id": order["id"]}))["data"]["fulfillOrder"]["errors"] == []
    invoiced = (await gateway.gql(INVOICE, {"id": order["id"]}))["data"]["invoiceOrder"]
    assert invoiced["errors"] == []
    invoice = invoiced["invoice"]
    assert (_amount(invoice["netAmount"]), _amount(invoice["taxAmount"])) == (net, tax)
    assert _amount(invoice["grossAmount"]) == net + tax
    [posted] = tryton.search_read(
        "account.invoice",
        [("id", "=", int(invoice["id"].split(":")[1]))],
        ["untaxed_amount", "tax_amount", "total_amount"],
    )
    assert (posted["untaxed_amount"], posted["tax_amount"], posted["total_amount"]) == (
        net,
        tax,
        net + tax,
    )


async def test_cancel_on_tryton_closes_the_sale_and_refuses_a_shipped_one(
    gateway: Running, tryton: TrytonRpc
) -> None:
    stock = await gateway.gql(
        '{ inventory(first: 100, connection: "US01") '
        "{ nodes { sku location quantity { value } } } }"
    )
    level = max(stock["data"]["inventory"]["nodes"], key=lambda n: Decimal(n["quantity"]["value"]))
    orders = []
    for key in ("tryton-cancel-1", "tryton-cancel-2"):
        order_input = {
            "idempotencyKey": key,
            "customerId": "US01:2",
            "lines": [{"sku": level["sku"], "quantity": "1"}],
        }
        placed = (await gateway.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
        assert placed["errors"] == []
        orders.append(placed["order"]["id"])
    open_id, shipped_id = orders
    assert (await gateway.gql(FULFIL, {"id": shipped_id}))["data"]["fulfillOrder"]["errors"] == []

    cancelled = await gateway.gql(
        CANCEL, {"id": open_id, "key": "tryton-cancel-1", "reason": "customer withdrew"}
    )
    refused = await gateway.gql(CANCEL, {"id": shipped_id, "key": "tryton-cancel-2"})

    assert cancelled["data"]["cancelOrder"] == {
        "order": {"id": open_id, "status": "CANCELLED"},
        "errors": [],
    }
    status = (await gateway.gql(STATUS, {"id": open_id}))["data"]["orderStatus"]
    assert (status["status"], status["deliveries"]) == ("CANCELLED", [])
    [sale] = tryton.search_read(
        "sale.sale",
        [("id", "=", int(open_id.split(":")[1]))],
        ["state", "shipment_state", "comment", "shipments.state"],
    )
    assert (sale["state"], sale["shipment_state"]) == ("done", "none")
    assert [s["state"] for s in sale["shipments."]] == ["cancelled"]
    assert "customer withdrew" in sale["comment"]

    [error] = refused["data"]["cancelOrder"]["errors"]
    assert (error["code"], error["reason"]) == ("NOT_CANCELLABLE", "shipped")
    status = (await gateway.gql(STATUS, {"id": shipped_id}))["data"]["orderStatus"]
    assert status["status"] == "SHIPPED"
    [sale] = tryton.search_read(
        "sale.sale", [("id", "=", int(shipped_id.split(":")[1]))], ["shipments.state"]
    )
    assert [s["state"] for s in sale["shipments."]] == ["done"]
