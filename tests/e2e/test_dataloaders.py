"""A page of orders with customers, lines and products costs a bounded number of ERP calls."""

from __future__ import annotations

from tests.e2e.conftest import Running
from tests.e2e.test_order_to_invoice import PLACE, stocked_product

QUERY = """
query Orders($first: Int!) {
  salesOrders(first: $first) {
    nodes {
      number
      customer { name address { country } }
      lines { sku quantity { value } product { name baseUnit } }
    }
  }
}"""


async def requests_for(running: Running, first: int) -> tuple[int, int]:
    before = running.sap.request_count
    body = await running.gql(QUERY, {"first": first})
    assert "errors" not in body, body.get("errors")
    nodes = body["data"]["salesOrders"]["nodes"]
    assert all(n["customer"]["name"] for n in nodes)
    assert all(line["product"]["name"] for n in nodes for line in n["lines"])
    return len(nodes), running.sap.request_count - before


async def test_upstream_calls_do_not_grow_with_page_size(running: Running) -> None:
    # The seed holds 30 orders; 20 more from several customers fill a page of 50.
    body = await running.gql("{ customers(first: 20) { nodes { id } } }")
    customers = [n["id"] for n in body["data"]["customers"]["nodes"]]
    _, sku, _ = await stocked_product(running)
    for index, customer in enumerate(customers):
        line = {"sku": sku, "quantity": "1"}
        order = {"idempotencyKey": f"fill-{index}", "customerId": customer, "lines": [line]}
        placed = await running.gql(PLACE, {"input": order})
        assert placed["data"]["placeOrder"]["errors"] == []

    small_count, small_cost = await requests_for(running, 5)
    large_count, large_cost = await requests_for(running, 50)
    assert small_count == 5
    assert large_count == 50
    assert small_cost == large_cost
    assert large_cost <= 3
