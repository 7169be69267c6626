"""Nested fields are batched per request: upstream calls do not grow with the page size."""

from __future__ import annotations

from collections import Counter

import pytest
import strawberry

from system_apis.contracts import errors as erp_errors
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, data, make_erp, make_services, runner, seed_orders

ORDERS = """
query Orders($first: Int!) {
  salesOrders(first: $first) {
    nodes {
      number
      customer { name address { country } }
      lines { sku product { name listPrice { amount } } }
      deliveries { number }
      invoices { number }
    }
  }
}"""

# Orders delivered and invoiced in the page-size test (their products are in stock).
BILLED = ("17", "33", "45", "53", "57")


async def calls_for(gql: Run, erp: MemoryErp, first: int) -> tuple[int, Counter[str]]:
    erp.calls.clear()
    nodes = data(await gql(ORDERS, {"first": first}))["salesOrders"]["nodes"]
    assert all(node["customer"]["name"] for node in nodes)
    assert all(line["product"]["name"] for node in nodes for line in node["lines"])
    for node in nodes:
        billed = node["number"] in BILLED
        assert len(node["deliveries"]) == len(node["invoices"]) == int(billed)
    return len(nodes), Counter(erp.calls)


async def test_order_page_cost_does_not_depend_on_its_size(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 60)
    for number in BILLED:
        delivery = await erp.create_delivery(number)
        await erp.post_goods_issue(delivery.native_id)
        await erp.create_invoice(number)

    small, small_calls = await calls_for(gql, erp, 5)
    large, large_calls = await calls_for(gql, erp, 50)

    assert (small, large) == (5, 50)
    assert small_calls == large_calls
    assert large_calls == {
        "list_sales_orders": 1,
        "list_customers": 1,
        "list_products": 1,
        "list_deliveries": 1,
        "list_invoices": 1,
    }


async def test_one_batch_per_connection(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    await seed_orders(us, 12)
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))

    result = await gql(
        """{ salesOrders(connection: "US01", first: 12) { nodes { customer { id } } }
             invoices { nodes { customer { id } } } }"""
    )

    body = data(result)
    assert {n["customer"]["id"] for n in body["salesOrders"]["nodes"]} == {
        "US01:100",
        "US01:200",
        "US01:300",
    }
    assert us.calls["list_customers"] == 1
    assert eu.calls["list_customers"] == 0


async def test_stock_and_products_of_levels_are_batched(gql: Run, erp: MemoryErp) -> None:
    result = await gql(
        """{ products { nodes { sku stock { location product { sku } } } }
             inventory { nodes { product { name } } } }"""
    )

    body = data(result)
    assert len(body["inventory"]["nodes"]) == 4
    assert erp.calls == {"list_products": 2, "list_inventory": 2}


async def test_same_record_twice_in_one_request_is_read_once(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 3)

    await gql(
        """{ a: salesOrders { nodes { customer { name } } }
             b: salesOrders { nodes { customer { name } lines { product { sku } } } } }"""
    )

    assert erp.calls == {"list_sales_orders": 2, "list_customers": 1, "list_products": 1}


@pytest.mark.parametrize("requests", [1, 3])
async def test_loaders_do_not_outlive_a_request(gql: Run, erp: MemoryErp, requests: int) -> None:
    await seed_orders(erp, 2)

    for _ in range(requests):
        await gql("{ salesOrders { nodes { customer { name } } } }")

    assert erp.calls["list_customers"] == requests


async def test_deliveries_and_invoices_of_a_page_are_one_batch(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 3)
    await erp.create_delivery("2")
    await erp.post_goods_issue("80000001")
    await erp.create_invoice("2")
    erp.calls.clear()

    result = await gql(
        """{ salesOrders { nodes { number status
             deliveries { number goodsIssued } invoices { number status } } } }"""
    )

    nodes = {n["number"]: n for n in data(result)["salesOrders"]["nodes"]}
    assert nodes["2"]["status"] == "INVOICED"
    assert nodes["2"]["deliveries"] == [{"number": "80000001", "goodsIssued": True}]
    assert nodes["2"]["invoices"] == [{"number": "90000001", "status": "POSTED"}]
    assert nodes["1"]["deliveries"] == nodes["1"]["invoices"] == []
    assert erp.calls["list_deliveries"] == erp.calls["list_invoices"] == 1


async def test_a_failing_order_fails_only_its_own_field(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 2)
    erp.fail_with["list_invoices"] = lambda: erp_errors.Unavailable("socket closed")

    result = await gql("{ salesOrders { nodes { number deliveries { id } invoices { id } } } }")

    assert result.data == {
        "salesOrders": {
            "nodes": [
                {"number": "2", "deliveries": [], "invoices": None},
                {"number": "1", "deliveries": [], "invoices": None},
            ]
        }
    }
    assert result.errors is not None
    assert {e.message for e in result.errors} == {"the ERP is unavailable, try again later"}
    assert [e.path for e in result.errors] == [
        ["salesOrders", "nodes", 0, "invoices"],
        ["salesOrders", "nodes", 1, "invoices"],
    ]


async def test_a_failing_connection_fails_only_its_own_orders(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    await seed_orders(eu, 2)
    await seed_orders(us, 2)
    us.fail_with["list_deliveries"] = lambda: erp_errors.Unavailable("socket closed")
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))

    result = await gql("{ salesOrders { nodes { id deliveries { id } } } }")

    assert result.data is not None
    nodes = result.data["salesOrders"]["nodes"]
    assert {n["id"]: n["deliveries"] for n in nodes} == {
        "EU01:1": [],
        "EU01:2": [],
        "US01:1": None,
        "US01:2": None,
    }
    assert result.errors is not None
    failed = {nodes[e.path[2]]["id"] for e in result.errors if e.path is not None}
    assert failed == {"US01:1", "US01:2"}
    assert eu.calls["list_deliveries"] == us.calls["list_deliveries"] == 1


async def test_page_read_through_fragments_and_edges_costs_the_same(
    gql: Run, erp: MemoryErp
) -> None:
    await seed_orders(erp, 20)
    plain = data(await gql(ORDERS, {"first": 20}))["salesOrders"]["nodes"]
    erp.calls.clear()

    result = await gql(
        """query { salesOrders(first: 20) { edges { node { ...Order } } } }
        fragment Order on SalesOrder {
          number
          ... on SalesOrder { customer { name address { country } } }
          lines { sku ...LineProduct }
          deliveries { number }
          invoices { number }
        }
        fragment LineProduct on SalesOrderLine { product { name listPrice { amount } } }"""
    )

    nodes = [edge["node"] for edge in data(result)["salesOrders"]["edges"]]
    assert nodes == plain
    assert Counter(erp.calls) == {
        "list_sales_orders": 1,
        "list_customers": 1,
        "list_products": 1,
        "list_deliveries": 1,
        "list_invoices": 1,
    }


async def test_nested_records_not_asked_for_are_not_read(gql: Run, erp: MemoryErp) -> None:
    await seed_orders(erp, 20)
    erp.calls.clear()

    result = await gql("{ salesOrders(first: 20) { nodes { number lines { sku } } } }")

    assert len(data(result)["salesOrders"]["nodes"]) == 20
    assert Counter(erp.calls) == {"list_sales_orders": 1}
