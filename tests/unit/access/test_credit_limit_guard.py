"""Customers' credit limits through the executed schema: finance sees them, everyone else gets
null (listed in ``redactedFields``), the ERP is asked only for limits the caller may see, and
every limit handed out is a ``read:Customer.creditLimit`` entry of the audit trail."""

from __future__ import annotations

import json

import pytest
import strawberry

from experience_api.schema import build_schema
from system_apis.contracts.models import CustomerDetail
from tests.unit.access.support import CREDIT_LIMITS, LIMITS, principal, run, two_companies
from tests.unit.graphql.support import seed_orders

pytestmark = pytest.mark.unit

CUSTOMERS = """{ customers(first: 50) { nodes { id
  creditLimit { amount { amount currency } creditSegment validTo blocked } } } }"""
ORDERS = """{ salesOrders(first: 50) { nodes { id customer { id
  creditLimit { amount { amount } } } } } }"""
CREDIT = frozenset({CustomerDetail.CREDIT_LIMIT})


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


async def test_finance_sees_every_limit_and_each_read_is_audited(
    schema: strawberry.Schema,
) -> None:
    services, erps = two_companies()
    result, context = await run(schema, services, principal(["finance"]), CUSTOMERS)
    assert result.errors is None
    assert not (result.extensions or {}).get("redactedFields")
    limits = {
        n["id"]: n["creditLimit"]["amount"]["amount"]
        for n in result.data["customers"]["nodes"]
        if n["creditLimit"] is not None
    }
    expected = {
        f"{connection}:{native}": amount
        for connection, rows in CREDIT_LIMITS.items()
        for native, amount in rows.items()
    }
    assert limits == expected
    assert all(asked == CREDIT for erp in erps.values() for asked in erp.asked_customers)
    reads = [e for e in context.audit.events if e.action == "read:Customer.creditLimit"]
    assert sorted(e.record for e in reads) == sorted(expected)
    assert {e.actor for e in reads} == {"user-1"}
    assert all(json.dumps(e.details) == "{}" for e in reads)  # the value never goes to the log


@pytest.mark.parametrize("role", ["sales", "agent", "admin", "hr"])
async def test_other_roles_get_null_and_the_erp_is_never_asked(
    schema: strawberry.Schema, role: str
) -> None:
    services, erps = two_companies()
    caller = principal([role], ["customers:read", "orders:read"])
    result, context = await run(schema, services, caller, CUSTOMERS)
    assert result.errors is None
    nodes = result.data["customers"]["nodes"]
    assert nodes
    assert all(n["creditLimit"] is None for n in nodes)
    assert result.extensions == {"redactedFields": ["Customer.creditLimit"]}
    assert not any(amount in json.dumps(result.data) for amount in LIMITS)
    assert all(not asked for erp in erps.values() for asked in erp.asked_customers)
    assert not [e for e in context.audit.events if e.action.startswith("read:")]


async def test_the_customer_of_an_order_is_guarded_the_same_way(
    schema: strawberry.Schema,
) -> None:
    services, erps = two_companies()
    for erp in erps.values():
        await seed_orders(erp, 4)
    shown, context = await run(schema, services, principal(["finance"]), ORDERS)
    assert shown.errors is None
    customers = [o["customer"] for o in shown.data["salesOrders"]["nodes"]]
    assert any(c["creditLimit"] for c in customers)
    for customer in customers:
        connection, native = customer["id"].split(":")
        amount = CREDIT_LIMITS[connection].get(native)
        got = customer["creditLimit"]
        assert (None if got is None else got["amount"]["amount"]) == amount
    audited = [e.record for e in context.audit.events if e.action == "read:Customer.creditLimit"]
    assert sorted(audited) == sorted(c["id"] for c in customers if c["creditLimit"])
    for erp in erps.values():
        erp.asked_customers.clear()
    hidden, _ = await run(schema, services, principal(["sales"]), ORDERS)
    assert hidden.errors is None
    assert all(o["customer"]["creditLimit"] is None for o in hidden.data["salesOrders"]["nodes"])
    assert hidden.extensions == {"redactedFields": ["Customer.creditLimit"]}
    assert all(not asked for erp in erps.values() for asked in erp.asked_customers)


@pytest.mark.parametrize(
    "query",
    [
        "{ customers(first: 50) { nodes { id name } } }",
        "{ salesOrders(first: 50) { nodes { id customer { id name } } } }",
    ],
)
async def test_limits_a_query_does_not_select_are_not_read_even_for_finance(
    schema: strawberry.Schema, query: str
) -> None:
    services, erps = two_companies()
    if "salesOrders" in query:
        for erp in erps.values():
            await seed_orders(erp, 4)
    result, _ = await run(schema, services, principal(["finance"]), query)
    assert result.errors is None
    assert any(erp.asked_customers for erp in erps.values())
    assert all(not asked for erp in erps.values() for asked in erp.asked_customers)


async def test_a_limit_selected_in_a_fragment_is_read(schema: strawberry.Schema) -> None:
    services, erps = two_companies()
    query = """{ customers(first: 50) { nodes { ...Credit } } }
      fragment Credit on Customer { id creditLimit { amount { amount } } }"""
    result, _ = await run(schema, services, principal(["finance"]), query)
    assert result.errors is None
    assert all(asked == CREDIT for erp in erps.values() for asked in erp.asked_customers)
