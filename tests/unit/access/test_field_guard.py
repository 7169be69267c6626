"""Field level and row level on the employee queries, through the executed schema."""

from __future__ import annotations

import json

import pytest
import strawberry

from experience_api.schema import build_schema
from system_apis.contracts.people import EmployeeDetail
from tests.unit.access.support import IBANS, SALARIES, principal, run, two_companies

pytestmark = pytest.mark.unit

LIST = """{ employees { totalCount nodes { id source { connection }
  salary { amount { amount currency } period } bankAccount { iban masked } } } }"""
ONE = """query($id: ID!) { employee(id: $id) { id name salary { amount { amount } }
  bankAccount { iban } } }"""


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


async def test_hr_sees_salary_and_bank_and_each_disclosure_is_recorded(
    schema: strawberry.Schema,
) -> None:
    services, erps = two_companies()
    result, context = await run(schema, services, principal(["hr"]), LIST)
    assert result.errors is None
    nodes = result.data["employees"]["nodes"]
    assert sorted(n["salary"]["amount"]["amount"] for n in nodes) == sorted(SALARIES)
    assert sorted(n["bankAccount"]["iban"] for n in nodes) == sorted(IBANS)
    assert not (result.extensions or {}).get("redactedFields")
    disclosed = {(d.field, d.record_id) for d in context.field_access.disclosed}
    assert ("Employee.salary", "EU01:5001") in disclosed
    assert len(disclosed) == 2 * len(nodes)
    assert all(asked == frozenset(EmployeeDetail) for e in erps.values() for asked in e.asked)
    audited = {(e.action, e.record) for e in context.audit.events}
    assert ("read:Employee.salary", "EU01:5001") in audited
    assert ("read:Employee.bankAccount", "US01:7002") in audited


@pytest.mark.parametrize(
    ("roles", "scopes"),
    [
        (["sales"], ["employees:read"]),
        (["agent"], ["employees:read"]),
        (["admin"], ["employees:read"]),
        ([], ["employees:read"]),
    ],
)
async def test_without_payroll_and_bank_scopes_both_are_null_and_never_read(
    schema: strawberry.Schema, roles: list[str], scopes: list[str]
) -> None:
    services, erps = two_companies()
    caller = principal(roles, scopes)
    result, context = await run(schema, services, caller, LIST)
    assert result.errors is None
    nodes = result.data["employees"]["nodes"]
    assert len(nodes) == 4
    assert all(n["salary"] is None and n["bankAccount"] is None for n in nodes)
    assert result.extensions["redactedFields"] == ["Employee.bankAccount", "Employee.salary"]
    assert context.field_access.disclosed == []
    assert not [e for e in context.audit.events if e.action.startswith("read:")]
    assert all(asked == frozenset() for e in erps.values() for asked in e.asked)
    text = json.dumps(result.data)
    assert not any(value in text for value in SALARIES + IBANS)


async def test_bank_scope_alone_reveals_the_account_but_not_the_salary(
    schema: strawberry.Schema,
) -> None:
    services, erps = two_companies()
    caller = principal([], ["employees:read", "bank:read"])
    result, _ = await run(schema, services, caller, LIST)
    nodes = result.data["employees"]["nodes"]
    assert all(n["salary"] is None and n["bankAccount"]["iban"] for n in nodes)
    assert result.extensions["redactedFields"] == ["Employee.salary"]
    assert all(asked == {EmployeeDetail.BANK_ACCOUNT} for e in erps.values() for asked in e.asked)


@pytest.mark.parametrize("roles", [["sales"], ["finance"], ["agent"], ["admin"]])
async def test_employees_need_the_employees_scope(
    schema: strawberry.Schema, roles: list[str]
) -> None:
    services, erps = two_companies()
    result, _ = await run(schema, services, principal(roles), LIST)
    assert result.data is None or result.data.get("employees") is None
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert all(e.calls["list_employees"] == 0 for e in erps.values())
    one, _ = await run(schema, services, principal(roles), ONE, {"id": "EU01:5001"})
    assert one.errors is not None
    assert one.errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_company_token_sees_only_its_own_employees(schema: strawberry.Schema) -> None:
    services, erps = two_companies()
    for own, other in (("EU01", "US01"), ("US01", "EU01")):
        caller = principal(["hr"], connections=[own])
        result, _ = await run(schema, services, caller, LIST)
        nodes = result.data["employees"]["nodes"]
        assert nodes
        assert {n["source"]["connection"] for n in nodes} == {own}
        assert result.data["employees"]["totalCount"] == 2
        theirs = next(iter(erps[other].employees))
        found, _ = await run(schema, services, caller, ONE, {"id": f"{other}:{theirs}"})
        assert found.errors is None
        assert found.data == {"employee": None}
        missing, _ = await run(schema, services, caller, ONE, {"id": f"{other}:nope"})
        assert missing.data == found.data  # same answer: no existence leak
        mine = next(iter(erps[own].employees))
        got, _ = await run(schema, services, caller, ONE, {"id": f"{own}:{mine}"})
        assert got.data["employee"]["id"] == f"{own}:{mine}"
        named, _ = await run(
            schema,
            services,
            caller,
            "query($c: String) { employees(connection: $c) { totalCount } }",
            {"c": other},
        )
        assert named.errors is not None
        assert named.errors[0].extensions["code"] == "FORBIDDEN"
    assert erps["EU01"].calls["get_employee"] + erps["US01"].calls["get_employee"] == 2


async def test_filter_ids_of_another_company_read_nothing_of_it(schema: strawberry.Schema) -> None:
    services, erps = two_companies()
    caller = principal(["hr"], connections=["EU01"])
    result, _ = await run(
        schema,
        services,
        caller,
        '{ employees(filter: {ids: ["US01:7001"]}) { nodes { id salary { period } } } }',
    )
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert erps["US01"].calls["list_employees"] == 0
