"""A page of orders with customers, lines, products, deliveries and invoices costs a bounded
number of ERP calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from experience_api.settings import Settings
from tests.e2e.conftest import Running, started
from tests.e2e.order_flow import FULFIL, INVOICE, PLACE
from tests.e2e.test_order_to_invoice import stocked_product

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
WITH_STATUS = QUERY.replace("number\n", "number\n      status\n")
DOCUMENTS = """
query Orders($first: Int!) {
  salesOrders(first: $first) {
    nodes { id deliveries { number goodsIssued } invoices { number } }
  }
}"""


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    """The gateway without change capture (its polls of SAP would count in the figures) and
    without the response cache (every read reaches SAP, as on a cold start)."""
    connection = {"name": "EU01", "change_capture": {"enabled": False}, "cache": {"enabled": False}}
    async with started(Settings(data_dir=tmp_path, connections=[connection])) as gateway:
        yield gateway


async def documents_for(running: Running, first: int) -> tuple[dict[str, Any], int]:
    before = running.sap.request_count
    body = await running.gql(DOCUMENTS, {"first": first})
    assert "errors" not in body, body.get("errors")
    nodes = {n["id"]: n for n in body["data"]["salesOrders"]["nodes"]}
    assert len(nodes) == first
    return nodes, running.sap.request_count - before


async def requests_for(running: Running, first: int, query: str = QUERY) -> tuple[int, int]:
    before = running.sap.request_count
    body = await running.gql(query, {"first": first})
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
    placed_ids = []
    for index, customer in enumerate(customers):
        line = {"sku": sku, "quantity": "1"}
        order = {"idempotencyKey": f"fill-{index}", "customerId": customer, "lines": [line]}
        placed = await running.gql(PLACE, {"input": order})
        assert placed["data"]["placeOrder"]["errors"] == []
        placed_ids.append(placed["data"]["placeOrder"]["order"]["id"])
    # The newest order and an older one are delivered and invoiced.
    billed = [placed_ids[-1], placed_ids[3]]
    for order_id in billed:
        fulfilled = await running.gql(FULFIL, {"id": order_id})
        assert fulfilled["data"]["fulfillOrder"]["errors"] == []
        invoiced = await running.gql(INVOICE, {"id": order_id})
        assert invoiced["data"]["invoiceOrder"]["errors"] == []

    small_count, small_cost = await requests_for(running, 5)
    large_count, large_cost = await requests_for(running, 50)
    assert small_count == 5
    assert large_count == 50
    # Orders, customers and products: one request each.
    assert small_cost == 3
    assert large_cost == 3
    # Shown, the orders' status also needs their billing state, from their billing document
    # items (SAP leaves the header's billing status empty for billing from deliveries), at
    # most 40 orders a read, the reads of a page in one $batch: one round trip more for a
    # page of 5 and for a page of 50.
    _, small_cost = await requests_for(running, 5, WITH_STATUS)
    _, large_cost = await requests_for(running, 50, WITH_STATUS)
    assert small_cost == 3 + 1
    assert large_cost == 3 + 1

    small_page, small_documents = await documents_for(running, 5)
    large_page, large_documents = await documents_for(running, 50)
    for order_id in billed:
        assert large_page[order_id]["deliveries"][0]["goodsIssued"] is True
        assert len(large_page[order_id]["invoices"]) == 1
    assert small_page[billed[0]] == large_page[billed[0]]
    # Orders with their billing items as above. Deliveries and invoices: their numbers from
    # their items, at most 40 orders a request, then the documents by number (at most 40 a
    # request): for a page of 50, two and one of each, whatever it holds.
    assert small_documents <= (1 + 1) + 2 * (1 + 1)
    assert large_documents <= (1 + 2) + 2 * (2 + 1)
