"""Property: over every root query field of the schema, no caller ever receives a pay, bank or
credit-limit value it holds no scope for; no caller without hr's scopes ever receives a
salary, none without finance's ``credit:read`` a credit limit, and the ERP is never asked for
a credit limit the caller may not see.

Queries are generated from the schema itself (graphql-core's ``GraphQLSchema``): each root
field with a selection of every reachable scalar to a bounded depth, so a field added later
is covered without touching this test. Required arguments get known ids of both companies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from experience_api.schema import build_schema
from experience_api.security.permissions import Role, Scope
from tests.unit.access.support import (
    CREDIT_LIMITS,
    EMPLOYEES,
    IBANS,
    LIMITS,
    SALARIES,
    principal,
    run,
    two_companies,
)

pytestmark = pytest.mark.unit

MAX_DEPTH = 4
SCHEMA = build_schema()
GRAPHQL = SCHEMA._schema
ROOT_FIELDS = sorted(GRAPHQL.query_type.fields)
KNOWN_IDS = [f"{c}:{row[0]}" for c, rows in EMPLOYEES.items() for row in rows] + [
    "EU01:100",
    "US01:100",
    "EU01:1",
    "US01:1",
]


def _unwrap(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def _required_args(field: GraphQLField) -> list[tuple[str, Any]]:
    return [(n, a.type) for n, a in field.args.items() if isinstance(a.type, GraphQLNonNull)]


def selection(kind: Any, depth: int) -> str | None:
    """Every scalar of ``kind`` and of its object fields down to ``depth`` levels."""
    kind = _unwrap(kind)
    if isinstance(kind, GraphQLUnionType | GraphQLInterfaceType):
        if depth == 0:
            return "{ __typename }"
        parts = ["__typename"]
        for member in GRAPHQL.get_possible_types(kind):
            inner = selection(member, depth - 1)
            if inner:
                parts.append(f"... on {member.name} {inner}")
        return "{ " + " ".join(parts) + " }"
    if not isinstance(kind, GraphQLObjectType):
        return ""
    parts = []
    for name, field in kind.fields.items():
        if _required_args(field):
            continue
        target = _unwrap(field.type)
        if isinstance(target, GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType):
            if depth == 0:
                continue
            inner = selection(target, depth - 1)
            if inner:
                parts.append(f"{name} {inner}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }" if parts else None


def argument_literal(kind: Any, pick: int) -> str:
    base = _unwrap(kind)
    text = json.dumps(KNOWN_IDS[pick % len(KNOWN_IDS)])
    if isinstance(kind, GraphQLNonNull) and isinstance(kind.of_type, GraphQLList):
        return f"[{text}]"
    if base.name in ("Int", "Float"):
        return str(pick % 5 + 1)
    if base.name == "Boolean":
        return "true"
    return text


def root_query(field_name: str, pick: int) -> str | None:
    field = GRAPHQL.query_type.fields[field_name]
    args = ", ".join(f"{n}: {argument_literal(k, pick)}" for n, k in _required_args(field))
    body = selection(field.type, MAX_DEPTH)
    if body is None:
        return None
    call = f"{field_name}({args})" if args else field_name
    return f"{{ {call} {body} }}"


NON_HR_ROLES = [r.value for r in Role if r is not Role.HR]
OTHER_SCOPES = [s.value for s in Scope if s not in (Scope.PAYROLL_READ, Scope.BANK_READ)]


def test_the_generator_reaches_the_sensitive_fields() -> None:
    employees = root_query("employees", 0) or ""
    assert "salary" in employees
    assert "bankAccount" in employees
    assert "iban" in employees
    customers = root_query("customers", 0) or ""
    assert "creditLimit { amount { amount currency }" in customers
    assert {"employees", "employee", "customers", "salesOrders"} <= set(ROOT_FIELDS)


@example(  # a customers:read holder without credit:read must never see a credit limit
    field_name="customers", pick=0, roles={"sales"}, scopes=set(), extra=set(), connections=None
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field_name=st.sampled_from(ROOT_FIELDS),
    pick=st.integers(min_value=0, max_value=len(KNOWN_IDS) - 1),
    roles=st.sets(st.sampled_from(NON_HR_ROLES)),
    scopes=st.sets(st.sampled_from(OTHER_SCOPES)),
    extra=st.sets(st.sampled_from([Scope.PAYROLL_READ.value, Scope.BANK_READ.value]), max_size=1),
    connections=st.one_of(st.none(), st.sets(st.sampled_from(sorted(EMPLOYEES)))),
)
async def test_no_response_carries_a_value_the_caller_may_not_see(
    field_name: str,
    pick: int,
    roles: set[str],
    scopes: set[str],
    extra: set[str],
    connections: set[str] | None,
) -> None:
    query = root_query(field_name, pick)
    if query is None:
        return
    services, erps = two_companies()
    caller = principal(roles, scopes | extra, connections)
    result, context = await run(SCHEMA, services, caller, query)
    text = json.dumps(
        {
            "data": result.data,
            "errors": [e.formatted for e in result.errors or []],
            "extensions": result.extensions,
        }
    )
    may_pay = caller.has(Scope.PAYROLL_READ)
    may_bank = caller.has(Scope.BANK_READ)
    visible = [c for c in EMPLOYEES if caller.may_see(c)]
    for connection, rows in EMPLOYEES.items():
        for row in rows:
            salary, iban = row[4], row[5]
            if not (may_pay and connection in visible):
                assert salary not in text, (query, caller)
            if not (may_bank and connection in visible):
                assert iban not in text, (query, caller)
                assert iban[-4:] + '"' not in text, (query, caller)
    may_credit = caller.has(Scope.CREDIT_READ)
    for connection, limits in CREDIT_LIMITS.items():
        for amount in limits.values():
            if not (may_credit and connection in visible):
                assert amount not in text, (query, caller)
    if not may_pay:
        assert all(d.scope is not Scope.PAYROLL_READ for d in context.field_access.disclosed)
    if not may_credit:
        assert all(d.scope is not Scope.CREDIT_READ for d in context.field_access.disclosed)
        assert all(not asked for erp in erps.values() for asked in erp.asked_customers)
    assert set(SALARIES)
    assert set(IBANS)
    assert set(LIMITS)
