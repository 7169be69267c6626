"""One gateway, several ERPs: lists span connections, writes go to the owning ERP."""

from __future__ import annotations

import datetime as dt

import strawberry

from tests.unit.graphql.support import data, make_erp, make_services, runner, seed_orders

CUSTOMERS = """
query($first: Int, $after: String, $connection: String) {
  customers(first: $first, after: $after, connection: $connection) {
    totalCount
    nodes { id source { connection } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_customers_of_every_connection_page_without_gaps(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))
    seen: list[str] = []
    after = None
    while True:
        page = data(await gql(CUSTOMERS, {"first": 2, "after": after}))["customers"]
        assert page["totalCount"] == len(eu.customers) + len(us.customers)
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = [c.id for c in eu.customers.values()] + [c.id for c in us.customers.values()]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    assert {s.split(":")[0] for s in seen} == {"EU01", "US01"}


async def test_one_connection_when_named(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))
    page = data(await gql(CUSTOMERS, {"connection": "US01"}))["customers"]
    assert {n["source"]["connection"] for n in page["nodes"]} == {"US01"}
    assert eu.calls["list_customers"] == 0


async def test_orders_are_newest_first_across_erps(schema: strawberry.Schema) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    await seed_orders(eu, 3)
    await seed_orders(us, 3)
    for offset, erp in enumerate((eu, us)):
        for index, (native, order) in enumerate(sorted(erp.orders.items())):
            day = dt.date(2026, 3, 1) + dt.timedelta(days=2 * index + offset)
            erp.orders[native] = order.model_copy(update={"order_date": day})
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))
    body = data(await gql("{ salesOrders(first: 4) { nodes { id orderDate } } }"))
    dates = [n["orderDate"] for n in body["salesOrders"]["nodes"]]
    assert dates == ["2026-03-06", "2026-03-05", "2026-03-04", "2026-03-03"]
    assert [n["id"].split(":")[0] for n in body["salesOrders"]["nodes"]] == [
        "US01", "EU01", "US01", "EU01",
    ]  # fmt: skip


async def test_an_order_goes_to_the_erp_that_owns_the_customer(
    schema: strawberry.Schema,
) -> None:
    eu, us = make_erp("EU01"), make_erp("US01")
    gql = runner(schema, make_services({"EU01": eu, "US01": us}))
    customer = next(iter(us.customers.values()))
    sku = next(iter(us.products))
    result = await gql(
        """mutation($input: PlaceOrderInput!) {
             placeOrder(input: $input) { order { id source { connection } } errors { message } }
           }""",
        {"input": {"idempotencyKey": "k", "customerId": customer.id,
                   "lines": [{"sku": sku, "quantity": "1"}]}},
    )  # fmt: skip
    payload = data(result)["placeOrder"]
    assert payload["errors"] == []
    assert payload["order"]["source"]["connection"] == "US01"
    assert len(us.orders) == 1
    assert eu.orders == {}
