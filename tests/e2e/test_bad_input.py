"""Bad input gets a clear client error through GraphQL and leaves the ERP untouched."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Running
from tests.e2e.order_flow import PLACE
from tests.e2e.test_order_to_invoice import ROWS, counts, stocked_product


def snapshot(running: Running) -> tuple[dict[str, int], list[dict[str, Any]]]:
    return counts(running), running.sap.rows("A_MatlStkInAcctMod")


@pytest.mark.parametrize(
    ("case", "typename", "field"),
    [
        ("unknown customer", "NotFoundError", "customerId"),
        ("unknown product", "NotFoundError", "lines.0.sku"),
        ("zero quantity", "ValidationError", "lines.0.quantity"),
        ("negative quantity", "ValidationError", "lines.0.quantity"),
        ("above stock", "OutOfStockError", "lines.0.quantity"),
    ],
)
async def test_rejected_orders_write_nothing(
    running: Running, case: str, typename: str, field: str
) -> None:
    customer, sku, stock = await stocked_product(running)
    line: dict[str, Any] = {"sku": sku, "quantity": "1"}
    order: dict[str, Any] = {"idempotencyKey": f"bad-{case}", "customerId": customer}
    if case == "unknown customer":
        order["customerId"] = "EU01:9999999999"
    elif case == "unknown product":
        line["sku"] = "NO-SUCH-SKU"
    elif case == "zero quantity":
        line["quantity"] = "0"
    elif case == "negative quantity":
        line["quantity"] = "-5"
    elif case == "above stock":
        line["quantity"] = str(stock + 1)
    order["lines"] = [line]
    before = snapshot(running)

    body = await running.gql(PLACE, {"input": order})

    payload = body["data"]["placeOrder"]
    assert payload["order"] is None
    [error] = payload["errors"]
    assert error["__typename"] == typename
    assert error["field"] == field
    assert error["message"]
    assert snapshot(running) == before


async def test_malformed_graphql_is_a_client_error(running: Running) -> None:
    before = snapshot(running)
    response = await running.client.post(
        "/graphql",
        json={"query": "mutation { placeOrder(input: {"},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]
    assert snapshot(running) == before


async def test_not_json_is_a_client_error(running: Running) -> None:
    response = await running.client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500


async def test_page_size_above_maximum_is_refused(running: Running) -> None:
    requests_before = running.sap.request_count
    body = await running.gql("{ salesOrders(first: 101) { nodes { id } } }")
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert "100" in message
    assert running.sap.request_count == requests_before


async def test_unexpected_failures_reveal_nothing(running: Running) -> None:
    # An id whose connection exists but whose native part SAP cannot parse as a key.
    body = await running.gql('{ salesOrder(id: "EU01:\'); DROP") { id } }')
    text = str(body)
    assert "Traceback" not in text
    assert "sap/opu/odata" not in text
    assert "A_SalesOrder" not in text


def test_rows_cover_what_the_flow_writes() -> None:
    assert set(ROWS) == {"A_SalesOrder", "A_OutbDeliveryHeader", "A_BillingDocument"}
