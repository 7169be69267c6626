"""Whole GraphQL results kept and served again: for whom, for how long, and what drops them.

On the in-memory ERP behind a CachingAdapter with a fake clock, through the real schema.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from experience_api.result_cache import ResultCache
from experience_api.schema import build_context, build_schema
from experience_api.security.permissions import ROLE_SCOPES, Role
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.read_cache import invalidate_aggregate
from system_apis.caching import CachePolicy
from tests.unit.cache.support import Cached, cached, draft
from tests.unit.graphql.support import data, make_services

STOCK = """query Stock($sku: String!) {
  products(filter: {skus: [$sku]}) { nodes { sku name stock { location quantity { value } } } }
}"""
PLACE = """mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { errors { message } order { number } }
}"""
ORDERS = "{ salesOrders(first: 20) { nodes { number } } }"
CREDIT = "{ customers(first: 5) { nodes { name creditLimit { amount { amount } } } } }"


def caller(
    *roles: Role, connections: frozenset[str] | None = None, subject: str = "u"
) -> Principal:
    scopes = frozenset(s for r in roles for s in ROLE_SCOPES[r])
    return Principal(subject, "client", frozenset(r.value for r in roles), scopes, connections)


SALES = caller(Role.SALES)


class Gateway:
    def __init__(self, c: Cached) -> None:
        self.c = c
        self.results = ResultCache(c.cache)
        self.services: Services = dataclasses.replace(
            make_services({"EU01": c.adapter}), result_cache=self.results
        )
        self.schema = build_schema()

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, principal: Principal = SALES
    ) -> ExecutionResult:
        context = build_context(self.services, principal=principal)
        return await self.schema.execute(query, variable_values=variables, context_value=context)

    async def kept(
        self, query: str, variables: dict[str, Any] | None = None, principal: Principal = SALES
    ) -> bool:
        # The operation's name, as execution knows it (the document's, when not given).
        name = {STOCK: "Stock", PLACE: "Place"}.get(query)
        key = self.results.key(query, name, variables, principal)
        return await self.results.get(key) is not None


def stock(result: ExecutionResult) -> Decimal:
    [product] = data(result)["products"]["nodes"]
    [level] = product["stock"]
    return Decimal(level["quantity"]["value"])


@pytest.fixture
def gw() -> Gateway:
    return Gateway(cached(CachePolicy(inventory_ttl=10, products_ttl=300)))


def test_the_key_holds_the_callers_visibility_and_the_request() -> None:
    results = ResultCache(cached().cache)
    key = results.key(STOCK, None, {"sku": "TG11"}, SALES)

    assert key == results.key(STOCK, None, {"sku": "TG11"}, caller(Role.SALES, subject="other"))
    assert key == results.key("  " + STOCK.replace(" ", "  ") + "\n", None, {"sku": "TG11"}, SALES)
    others = [
        results.key(STOCK, None, {"sku": "TG12"}, SALES),
        results.key(STOCK, "Stock", {"sku": "TG11"}, SALES),
        results.key(STOCK, None, {"sku": "TG11"}, caller(Role.FINANCE)),
        results.key(STOCK, None, {"sku": "TG11"}, caller(Role.SALES, Role.FINANCE)),
        results.key(
            STOCK, None, {"sku": "TG11"}, caller(Role.SALES, connections=frozenset({"EU01"}))
        ),
        results.key(STOCK, None, {"sku": "TG11"}, caller(Role.SALES, connections=frozenset())),
    ]
    assert len({key, *others}) == len(others) + 1


async def test_a_repeated_query_is_answered_from_its_kept_result(gw: Gateway) -> None:
    first = await gw.run(STOCK, {"sku": "TG11"})
    assert await gw.kept(STOCK, {"sku": "TG11"})
    calls = sum(gw.c.erp.calls.values())

    second = await gw.run(STOCK, {"sku": "TG11"})

    assert data(second) == data(first)
    assert sum(gw.c.erp.calls.values()) == calls


async def test_callers_with_other_scopes_never_see_each_others_result(gw: Gateway) -> None:
    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 50

    finance = await gw.run(STOCK, {"sku": "TG11"}, principal=caller(Role.FINANCE))

    assert finance.data is None
    assert finance.errors is not None
    assert "products:read" in finance.errors[0].message


async def test_a_caller_of_another_company_never_sees_a_kept_result(gw: Gateway) -> None:
    await gw.c.adapter.create_sales_order(draft())
    mine = data(await gw.run(ORDERS))["salesOrders"]["nodes"]
    assert mine

    other = await gw.run(ORDERS, principal=caller(Role.SALES, connections=frozenset({"US01"})))

    assert data(other)["salesOrders"]["nodes"] == []


async def test_mutations_are_never_kept(gw: Gateway) -> None:
    order = {
        "idempotencyKey": "k-1",
        "customerId": "EU01:1",
        "lines": [{"sku": "TG11", "quantity": "2"}],
    }
    placed = await gw.run(PLACE, {"input": order})
    assert data(placed)["placeOrder"]["errors"] == []

    assert not await gw.kept(PLACE, {"input": order})


async def test_a_gateway_write_drops_the_results_it_changed(gw: Gateway) -> None:
    assert data(await gw.run(ORDERS))["salesOrders"]["nodes"] == []
    assert await gw.kept(ORDERS)
    order = {
        "idempotencyKey": "k-2",
        "customerId": "EU01:1",
        "lines": [{"sku": "TG11", "quantity": "2"}],
    }
    placed = data(await gw.run(PLACE, {"input": order}))["placeOrder"]

    assert placed["errors"] == []
    assert not await gw.kept(ORDERS)
    assert data(await gw.run(ORDERS))["salesOrders"]["nodes"] == [placed["order"]]


async def test_a_change_seen_by_change_capture_or_an_event_drops_the_result(gw: Gateway) -> None:
    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 50
    assert stock(await gw.run(STOCK, {"sku": "TG12"})) == 8
    gw.c.erp.stock[("TG11", "1010")] = Decimal(7)  # changed in the ERP

    # What change capture, business and inbound events call for a stock change of TG11.
    await invalidate_aggregate(gw.c.cache, "stock:EU01:TG11@1010")

    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 7
    assert await gw.kept(STOCK, {"sku": "TG12"})  # another SKU's result stays


async def test_a_result_is_never_served_older_than_the_shortest_ttl_it_read(gw: Gateway) -> None:
    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 50
    gw.c.erp.stock[("TG11", "1010")] = Decimal(7)  # unseen by the gateway

    gw.c.clock.advance(10)
    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 50
    gw.c.clock.advance(0.5)  # the stock read's TTL (10 s) ran out; the product's (300 s) not
    assert stock(await gw.run(STOCK, {"sku": "TG11"})) == 7


async def test_results_with_sensitive_reads_are_not_kept(gw: Gateway) -> None:
    finance = caller(Role.FINANCE)
    # The read asks the ERP for credit data (none on record here): it bypasses the cache.
    assert data(await gw.run(CREDIT, principal=finance))["customers"]["nodes"]

    assert not await gw.kept(CREDIT, principal=finance)
    # Without the credit scope the same query reads no credit data, and may be kept.
    assert data(await gw.run(CREDIT))["customers"]["nodes"][0]["creditLimit"] is None
    assert await gw.kept(CREDIT)
