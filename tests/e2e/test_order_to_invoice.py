"""Order to invoice through GraphQL, checked in the SAP sandbox behind the gateway."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import Running
from tests.e2e.order_flow import FULFIL, INVOICE, PLACE, STATUS, order_to_invoice

ROWS = ("A_SalesOrder", "A_OutbDeliveryHeader", "A_BillingDocument")


async def stocked_product(running: Running) -> tuple[str, str, Decimal]:
    """A customer id and a sku with plenty of stock at one location, read through GraphQL."""
    body = await running.gql(
        "{ customers(first: 1) { nodes { id } } "
        "inventory(first: 100) { nodes { sku location quantity { value } } } }"
    )
    customer = body["data"]["customers"]["nodes"][0]["id"]
    level = max(body["data"]["inventory"]["nodes"], key=lambda n: Decimal(n["quantity"]["value"]))
    return customer, level["sku"], Decimal(level["quantity"]["value"])


def counts(running: Running) -> dict[str, int]:
    return {name: running.sap.count(name) for name in ROWS}


async def test_place_twice_fulfil_invoice(running: Running) -> None:
    customer, sku, _ = await stocked_product(running)
    plant_stock_before = {
        loc: running.sap.stock(sku, *loc.split("/")) for loc in ("1010/0001", "1710/171A")
    }
    before = counts(running)
    order_input: dict[str, Any] = {
        "idempotencyKey": "e2e-order-1",
        "customerId": customer,
        "lines": [{"sku": sku, "quantity": "3"}],
    }

    order, _ = await order_to_invoice(running, order_input)
    location = order["lines"][0]["location"]

    after = counts(running)
    assert {k: after[k] - before[k] for k in ROWS} == dict.fromkeys(ROWS, 1)
    orders = [r for r in running.sap.rows("A_SalesOrder") if r["SalesOrder"] == order["number"]]
    assert len(orders) == 1
    plant, sloc = location.split("/")
    assert running.sap.stock(sku, plant, sloc) == plant_stock_before[location] - 3


async def test_fulfil_and_invoice_again_change_nothing(running: Running) -> None:
    customer, sku, _ = await stocked_product(running)
    placed = await running.gql(
        PLACE,
        {"input": {"idempotencyKey": "e2e-2", "customerId": customer,
                   "lines": [{"sku": sku, "quantity": "1"}]}},
    )  # fmt: skip
    order_id = placed["data"]["placeOrder"]["order"]["id"]
    await running.gql(FULFIL, {"id": order_id})
    await running.gql(INVOICE, {"id": order_id})
    before = counts(running)
    again_f = (await running.gql(FULFIL, {"id": order_id}))["data"]["fulfillOrder"]
    again_i = (await running.gql(INVOICE, {"id": order_id}))["data"]["invoiceOrder"]
    assert again_f["errors"] == []
    assert again_i["errors"] == []
    assert counts(running) == before


async def test_stock_taken_meanwhile_blocks_shipping_and_changes_nothing(running: Running) -> None:
    # Two orders both fit the stock when placed; only one can ship.
    customer = (await running.gql("{ customers(first: 1) { nodes { id } } }"))["data"]["customers"][
        "nodes"
    ][0]["id"]
    available = running.sap.stock("TG35", "1010", "0001")
    billing_documents = running.sap.count("A_BillingDocument")
    ids = []
    for key in ("scarce-1", "scarce-2"):
        line = {"sku": "TG35", "quantity": str(available), "location": "1010/0001"}
        body = await running.gql(
            PLACE, {"input": {"idempotencyKey": key, "customerId": customer, "lines": [line]}}
        )
        ids.append(body["data"]["placeOrder"]["order"]["id"])
    first = (await running.gql(FULFIL, {"id": ids[0]}))["data"]["fulfillOrder"]
    assert first["errors"] == []
    assert running.sap.stock("TG35", "1010", "0001") == 0

    second = (await running.gql(FULFIL, {"id": ids[1]}))["data"]["fulfillOrder"]
    [error] = second["errors"]
    assert error["__typename"] == "InvalidStateError"
    assert "TG35" in error["message"] or "stock" in error["message"].lower()
    assert running.sap.stock("TG35", "1010", "0001") == 0
    status = (await running.gql(STATUS, {"id": ids[1]}))["data"]["orderStatus"]
    assert status["status"] == "ORDERED"
    invoiced = (await running.gql(INVOICE, {"id": ids[1]}))["data"]["invoiceOrder"]
    assert invoiced["errors"][0]["__typename"] == "InvalidStateError"
    assert running.sap.count("A_BillingDocument") == billing_documents


async def test_a_fraction_of_a_piece_is_refused_before_sap_is_written(running: Running) -> None:
    customer, _, _ = await stocked_product(running)
    units = await running.gql(
        '{ products(connection: "EU01", filter: {skus: ["TG11", "TG29"]}) '
        "{ nodes { sku baseUnit unitDecimals } } }"
    )
    assert sorted(units["data"]["products"]["nodes"], key=lambda n: n["sku"]) == [
        {"sku": "TG11", "baseUnit": "PC", "unitDecimals": 0},
        {"sku": "TG29", "baseUnit": "KG", "unitDecimals": 3},
    ]
    before = counts(running)
    lines = [{"sku": "TG29", "quantity": "2.125"}, {"sku": "TG11", "quantity": "0.333"}]
    body = await running.gql(
        PLACE, {"input": {"idempotencyKey": "third", "customerId": customer, "lines": lines}}
    )
    placed = body["data"]["placeOrder"]
    assert placed["order"] is None
    [error] = placed["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "lines.1.quantity")
    assert error["message"].startswith("lines.1.quantity: PC allows no decimals")
    assert counts(running) == before

    body = await running.gql(
        PLACE, {"input": {"idempotencyKey": "kilos", "customerId": customer, "lines": lines[:1]}}
    )
    assert body["data"]["placeOrder"]["errors"] == []
    [row] = [
        r
        for r in running.sap.rows("A_SalesOrderItem")
        if r["SalesOrder"] == body["data"]["placeOrder"]["order"]["number"]
    ]
    assert (row["Material"], Decimal(row["RequestedQuantity"])) == ("TG29", Decimal("2.125"))
