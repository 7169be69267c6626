"""Paging orders through GraphQL while orders are placed: no order read twice, none skipped."""

from __future__ import annotations

from tests.e2e.conftest import Running
from tests.e2e.order_flow import PLACE
from tests.e2e.test_order_to_invoice import stocked_product

PAGE = """
query Page($after: String) {
  salesOrders(first: 2, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}"""


async def test_an_order_placed_while_a_client_pages_is_not_read_twice(running: Running) -> None:
    customer, sku, _ = await stocked_product(running)
    everything = await running.gql(PAGE.replace("first: 2", "first: 100"))
    before = [node["id"] for node in everything["data"]["salesOrders"]["nodes"]]
    assert len(before) > 2, "the sandbox holds orders over several pages"

    read: list[str] = []
    placed: list[str] = []
    after = None
    while True:
        page = (await running.gql(PAGE, {"after": after}))["data"]["salesOrders"]
        read.extend(node["id"] for node in page["nodes"])
        if not placed:  # newest first: the new order lands before the client's position
            order_input = {
                "idempotencyKey": "e2e-paging-1",
                "customerId": customer,
                "lines": [{"sku": sku, "quantity": "1"}],
            }
            answer = (await running.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
            assert answer["errors"] == []
            placed.append(answer["order"]["id"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert read == before
    assert placed[0] not in read
    assert page["totalCount"] == len(before) + 1
