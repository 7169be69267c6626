"""Field and row level through the whole gateway: signed tokens over HTTP, two SAP sandboxes.

The gateway runs with two embedded SAP sandboxes, connections ``EU01`` and ``US01``, each
reading the seeded Employee Central data through the SuccessFactors connection ``SF01`` it
is paired with (served by its own sandbox); tokens are signed with the local development key,
as ``erp-gateway token`` issues them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.connection_settings import ConnectionSettings
from experience_api.security.dev_keys import load_dev_key
from experience_api.settings import Settings

pytestmark = pytest.mark.e2e

EMPLOYEES = """query($c: String, $after: String) {
  employees(connection: $c, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id source { connection } company name salary { amount { amount currency } period }
      bankAccount { iban accountNumber masked } } } }"""
ONE = """query($id: ID!) { employee(id: $id) { id name salary { amount { amount } }
  bankAccount { iban accountNumber } } }"""


class Gateway:
    def __init__(self, client: httpx.AsyncClient, data_dir: Path, audit: Any) -> None:
        self.client = client
        self.data_dir = data_dir
        self.audit = audit

    def token(
        self, *roles: str, scopes: tuple[str, ...] = (), companies: tuple[str, ...] = ("*",)
    ) -> str:
        key = load_dev_key(self.data_dir)
        assert key is not None
        return key.issue(
            audience="erp-gateway", subject="e2e", roles=roles, scopes=scopes, companies=companies
        )

    async def gql(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    settings = Settings(
        data_dir=tmp_path,
        connections=[
            ConnectionSettings(name="EU01", employees_from="SF01"),
            ConnectionSettings(name="US01", employees_from="SF01"),
            # Embedded: each S/4 connection's emulator serves it SuccessFactors' API.
            ConnectionSettings(name="SF01", kind="successfactors"),
        ],
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield Gateway(client, tmp_path, app.state.gateway.services.audit)


async def all_employees(gateway: Gateway, token: str, connection: str | None = None) -> list[Any]:
    nodes: list[Any] = []
    after = None
    while True:
        body = await gateway.gql(token, EMPLOYEES, c=connection, after=after)
        assert "errors" not in body, body
        page = body["data"]["employees"]
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_hr_sees_pay_and_bank_of_the_seeded_employees(gateway: Gateway) -> None:
    nodes = await all_employees(gateway, gateway.token("hr"))
    assert {n["source"]["connection"] for n in nodes} == {"EU01", "US01"}
    assert {n["company"] for n in nodes} == {"1010", "1710"}
    assert all(n["salary"]["amount"]["amount"] for n in nodes)
    eur = [n for n in nodes if n["company"] == "1010"]
    assert all(n["bankAccount"]["iban"].startswith("DE") for n in eur)
    usd = [n for n in nodes if n["company"] == "1710"]
    assert all(n["bankAccount"]["iban"] is None and n["bankAccount"]["accountNumber"] for n in usd)
    # Every salary handed out is in the audit log, with who read it.
    reads = [e async for e in gateway.audit.entries() if e.action == "read:Employee.salary"]
    assert sorted(e.record for e in reads) == sorted(n["id"] for n in nodes)
    assert {e.actor for e in reads} == {"e2e"}


@pytest.mark.parametrize("role", ["sales", "finance", "agent", "admin"])
async def test_other_roles_never_receive_pay_or_bank_data(gateway: Gateway, role: str) -> None:
    secrets = await all_employees(gateway, gateway.token("hr"))
    salaries = {n["salary"]["amount"]["amount"] for n in secrets}
    accounts = {n["bankAccount"]["iban"] or n["bankAccount"]["accountNumber"] for n in secrets}
    plain = await gateway.gql(gateway.token(role), EMPLOYEES)
    assert plain["data"] is None or plain["data"]["employees"] is None
    assert plain["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    directory_token = gateway.token(role, scopes=("employees:read",))
    directory = await gateway.gql(directory_token, EMPLOYEES)
    nodes = directory["data"]["employees"]["nodes"]
    assert len(nodes) == len(secrets)
    assert all(n["salary"] is None for n in nodes)
    assert "Employee.salary" in directory["extensions"]["redactedFields"]
    one = await gateway.gql(directory_token, ONE, id=nodes[0]["id"])
    assert one["data"]["employee"]["name"]
    assert one["data"]["employee"]["salary"] is None
    text = json.dumps([plain, directory, one])
    assert not any(f'"{value}"' in text for value in salaries)
    if role != "finance":  # finance holds bank:read, the others see no account at all
        assert all(n["bankAccount"] is None for n in nodes)
        assert not any(value in text for value in accounts)


async def test_a_company_token_never_sees_the_other_company(gateway: Gateway) -> None:
    everyone = await all_employees(gateway, gateway.token("hr"))
    by_connection = {
        c: [n["id"] for n in everyone if n["source"]["connection"] == c] for c in ("EU01", "US01")
    }
    for own, other in (("EU01", "US01"), ("US01", "EU01")):
        token = gateway.token("hr", companies=(own,))
        mine = await all_employees(gateway, token)
        assert sorted(n["id"] for n in mine) == sorted(by_connection[own])
        theirs = by_connection[other][0]
        hidden = await gateway.gql(token, ONE, id=theirs)
        missing = await gateway.gql(token, ONE, id=f"{other}:999999")
        assert hidden == missing == {"data": {"employee": None}}
        named = await gateway.gql(token, EMPLOYEES, c=other)
        assert named["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert theirs not in json.dumps(named)
        own_one = await gateway.gql(token, ONE, id=by_connection[own][0])
        assert own_one["data"]["employee"]["salary"]["amount"]["amount"]


CUSTOMERS = """query($c: String) { customers(connection: $c, first: 100) {
  totalCount nodes { id name address { country }
    creditLimit { amount { amount currency } creditSegment validTo blocked } } } }"""
ORDERS = """{ salesOrders(connection: "EU01", first: 20) { nodes { id customer { id
  creditLimit { amount { amount currency } } } } } }"""


async def test_finance_sees_credit_limits_and_each_one_is_audited(gateway: Gateway) -> None:
    body = await gateway.gql(gateway.token("finance"), CUSTOMERS, c="EU01")
    assert "errors" not in body, body
    assert not (body.get("extensions") or {}).get("redactedFields")
    nodes = {n["id"]: n for n in body["data"]["customers"]["nodes"]}
    assert len(nodes) == 28
    mueller = nodes["EU01:10100001"]["creditLimit"]
    assert mueller["creditSegment"] == "0000"
    assert mueller["amount"]["currency"] == "EUR"
    assert float(mueller["amount"]["amount"]) >= 25_000
    assert nodes["EU01:10100007"]["creditLimit"]["amount"]["currency"] == "USD"
    assert nodes["EU01:10100017"]["creditLimit"] is None  # no credit account in SAP
    assert nodes["EU01:10100028"]["creditLimit"]["blocked"] is True
    granted = sorted(i for i, n in nodes.items() if n["creditLimit"] is not None)
    assert len(granted) == 26
    # The customer of an order carries its limit too (read through the batching loader).
    orders = await gateway.gql(gateway.token("finance"), ORDERS)
    assert "errors" not in orders, orders
    nested = [o["customer"] for o in orders["data"]["salesOrders"]["nodes"]]
    assert nested
    for customer in nested:
        listed = nodes[customer["id"]]["creditLimit"]
        expected = None if listed is None else {"amount": listed["amount"]}
        assert customer["creditLimit"] == expected
    nested_granted = [c["id"] for c in nested if c["creditLimit"] is not None]
    assert nested_granted
    reads = [e async for e in gateway.audit.entries() if e.action == "read:Customer.creditLimit"]
    assert sorted(e.record for e in reads) == sorted(granted + nested_granted)
    assert {e.actor for e in reads} == {"e2e"}


@pytest.mark.parametrize("role", ["sales", "agent", "admin", "hr"])
async def test_other_roles_get_null_credit_limits(gateway: Gateway, role: str) -> None:
    finance = await gateway.gql(gateway.token("finance"), CUSTOMERS, c="EU01")
    amounts = {
        n["creditLimit"]["amount"]["amount"]
        for n in finance["data"]["customers"]["nodes"]
        if n["creditLimit"] and float(n["creditLimit"]["amount"]["amount"]) > 0
    }
    assert amounts
    before = [e async for e in gateway.audit.entries() if e.action == "read:Customer.creditLimit"]
    token = gateway.token(role, scopes=("customers:read", "orders:read"))
    body = await gateway.gql(token, CUSTOMERS, c="EU01")
    assert "errors" not in body, body
    nodes = body["data"]["customers"]["nodes"]
    assert len(nodes) == 28
    assert all(n["creditLimit"] is None for n in nodes)
    assert body["extensions"]["redactedFields"] == ["Customer.creditLimit"]
    orders = await gateway.gql(token, ORDERS)
    assert all(o["customer"]["creditLimit"] is None for o in orders["data"]["salesOrders"]["nodes"])
    text = json.dumps([body, orders])
    assert not any(f'"{amount}"' in text for amount in amounts)
    after = [e async for e in gateway.audit.entries() if e.action == "read:Customer.creditLimit"]
    assert len(after) == len(before)
