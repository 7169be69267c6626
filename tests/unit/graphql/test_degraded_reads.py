"""While an ERP is unreachable, configured reads answer the last good data, marked stale."""

from __future__ import annotations

import strawberry

from system_apis.contracts import errors
from system_apis.resilience.adapter import ResilientAdapter
from system_apis.resilience.policy import ResiliencePolicy
from tests.unit.graphql.support import data, make_erp, make_services, only_error, runner

QUERY = "{ customers(first: 5) { staleFor nodes { id } } }"
POLICY = ResiliencePolicy(
    read_attempts=1,
    breaker_window=2,
    breaker_min_calls=1,
    breaker_failure_ratio=0.1,
    breaker_open_seconds=60,
    stale_reads=frozenset({"list_customers"}),
)


async def test_last_good_page_is_served_with_its_age(schema: strawberry.Schema) -> None:
    erp = make_erp()
    guarded = ResilientAdapter(erp, POLICY)
    gql = runner(schema, make_services({"EU01": guarded}))
    live = data(await gql(QUERY))["customers"]
    assert live["staleFor"] is None

    erp.fail_with["list_customers"] = lambda: errors.Unavailable("connection refused")
    degraded = data(await gql(QUERY))["customers"]
    assert degraded["nodes"] == live["nodes"]
    assert degraded["staleFor"] is not None
    assert degraded["staleFor"] >= 0


async def test_reads_not_configured_for_it_stay_unavailable(schema: strawberry.Schema) -> None:
    erp = make_erp()
    guarded = ResilientAdapter(erp, POLICY)
    gql = runner(schema, make_services({"EU01": guarded}))
    query = "{ products(first: 5) { staleFor nodes { sku } } }"
    await gql(query)
    erp.fail_with["list_products"] = lambda: errors.Unavailable("connection refused")
    error = only_error(await gql(query))
    assert error["extensions"]["code"] == "ERP_UNAVAILABLE"
