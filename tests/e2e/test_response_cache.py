"""The response cache through GraphQL over the embedded SAP sandbox: a repeated query costs
the ERP nothing, and a write made through GraphQL is read back at once, not from the cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from experience_api.console.snapshot import overview
from experience_api.security.principal import internal_principal
from experience_api.settings import Settings
from tests.e2e.conftest import Running, started
from tests.e2e.order_flow import FULFIL, PLACE
from tests.e2e.test_dataloaders import QUERY
from tests.e2e.test_order_to_invoice import stocked_product

ORDER_AND_STOCK = """
query Order($id: ID!, $sku: String!) {
  salesOrder(id: $id) { status deliveryStatus }
  products(filter: {skus: [$sku]}) { nodes { stock { location quantity { value } } } }
}"""


@pytest.fixture
async def quiet(tmp_path: Path) -> AsyncIterator[Running]:
    """The gateway with its cache on and change capture off: the sandbox sees the requests'
    reads only (no poll lands between two requests)."""
    connection = {"name": "EU01", "change_capture": {"enabled": False}}
    settings = Settings(data_dir=tmp_path, connections=[connection])  # type: ignore[list-item]
    async with started(settings) as running:
        yield running


async def relayed(running: Running) -> None:
    """Until the relay has published every staged event (and so dropped what they name)."""
    relay = running.gateway.relay
    assert relay is not None
    for _ in range(1000):
        if await relay.backlog() == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox relay did not publish the staged events")


def stock_at(body: dict[str, object], location: str) -> Decimal:
    [product] = body["data"]["products"]["nodes"]  # type: ignore[index]
    [level] = [s for s in product["stock"] if s["location"] == location]
    return Decimal(level["quantity"]["value"])


async def test_a_repeated_reference_query_is_answered_without_the_erp(quiet: Running) -> None:
    running = quiet
    first = await running.gql(QUERY, {"first": 50})
    before = running.sap.request_count
    second = await running.gql(QUERY, {"first": 50})

    assert "errors" not in second, second.get("errors")
    assert second["data"] == first["data"]
    assert len(second["data"]["salesOrders"]["nodes"]) > 0
    assert running.sap.request_count == before


async def test_a_graphql_write_invalidates_the_cached_reads_it_changed(quiet: Running) -> None:
    running = quiet
    customer, sku, _ = await stocked_product(running)
    order_input = {
        "idempotencyKey": "cache-e2e-1",
        "customerId": customer,
        "lines": [{"sku": sku, "quantity": "4"}],
    }
    placed = (await running.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
    assert placed["errors"] == []
    order = placed["order"]
    location = order["lines"][0]["location"]
    variables = {"id": order["id"], "sku": sku}
    await relayed(running)  # order.placed drops the order's cached reads when published
    before = await running.gql(ORDER_AND_STOCK, variables)
    requests = running.sap.request_count
    cached = await running.gql(ORDER_AND_STOCK, variables)
    assert cached["data"] == before["data"]
    assert running.sap.request_count == requests
    assert before["data"]["salesOrder"]["status"] == "ORDERED"

    fulfilled = (await running.gql(FULFIL, {"id": order["id"]}))["data"]["fulfillOrder"]
    assert fulfilled["errors"] == []
    requests = running.sap.request_count
    after = await running.gql(ORDER_AND_STOCK, variables)

    assert running.sap.request_count > requests

    assert after["data"]["salesOrder"]["status"] == "SHIPPED"
    assert stock_at(after, location) == stock_at(before, location) - 4


async def test_the_console_shows_the_breaker_and_calls_of_a_cached_connection(
    quiet: Running,
) -> None:
    first = await quiet.gql(QUERY, {"first": 5})
    assert "errors" not in first, first.get("errors")

    seen = await overview(quiet.gateway, internal_principal())

    [eu01] = seen.connections
    assert (eu01.name, eu01.health, eu01.breaker) == ("EU01", "ready", "closed")
    assert eu01.calls is not None
    assert eu01.calls >= 3


async def test_callers_with_other_scopes_never_get_each_others_cached_answer(
    quiet: Running,
) -> None:
    sales, finance = quiet.token("sales"), quiet.token("finance")
    for _ in range(2):  # the second answer of each comes from the cache
        by_sales = await quiet.gql(QUERY, {"first": 5}, token=sales)
        by_finance = await quiet.gql(QUERY, {"first": 5}, token=finance)

        assert "errors" not in by_sales, by_sales.get("errors")
        lines = [
            line for node in by_sales["data"]["salesOrders"]["nodes"] for line in node["lines"]
        ]
        assert all(line["product"]["name"] for line in lines)
        # Finance may not read products: its lines show none, with an error each.
        finance_lines = [
            line for node in by_finance["data"]["salesOrders"]["nodes"] for line in node["lines"]
        ]
        assert all(line["product"] is None for line in finance_lines)
        assert {e["message"] for e in by_finance["errors"]} == {
            "this needs the scope 'products:read'"
        }
