"""Agents over MCP (Streamable HTTP) against a real gateway process: the SDK's own client,
bearer tokens as /graphql takes them, one policy for both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.mcp_clients import McpGateway, gateway_process, record_ids, text_of

pytestmark = pytest.mark.e2e

BUILT_IN = {
    "find_customers",
    "find_products",
    "stock_availability",
    "customer_orders",
    "order_status",
    "customer_invoices",
    "find_employees",
    "schema_help",
    "graphql_query",
}
SENSITIVE = """{
  employees(first: 100) { nodes { salary { amount { amount } } bankAccount { iban } } }
  customers(first: 100) { nodes { id creditLimit { amount { amount } } } }
}"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpGateway]:
    yield from gateway_process(tmp_path_factory.mktemp("mcp-http"))


def cells(text: str) -> set[str]:
    return set(re.split(r"[|\n ,]", text))


async def test_an_agent_lists_the_tools_and_reads_compact_answers(gateway: McpGateway) -> None:
    async with gateway.client(gateway.token("agent")) as client:
        listed = await client.list_tools()
        stock, error = await text_of(client, "stock_availability", {"sku": "TG11"})

    names = {tool.name for tool in listed.tools}
    assert names >= BUILT_IN
    assert not names & {"place_order", "fulfill_order", "invoice_order"}
    assert not error
    lines = stock.splitlines()
    assert lines[0] == "[inventory]"
    assert lines[1] == "location|qty(PC)|source"
    assert {line.rsplit("|", 1)[-1] for line in lines[2:]} == {"EU01", "US01"}
    assert "null" not in stock
    assert "__typename" not in stock


async def test_without_a_valid_token_the_challenge_names_the_resource_metadata(
    gateway: McpGateway,
) -> None:
    async with httpx.AsyncClient(base_url=gateway.base_url) as http:
        refused = await http.post("/mcp", json={}, headers={"Authorization": "Bearer not-a-token"})
        metadata = await http.get("/.well-known/oauth-protected-resource")
        for_mcp = await http.get("/.well-known/oauth-protected-resource/mcp")

    assert refused.status_code == 401
    challenge = refused.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="erp-gateway"')
    assert f'resource_metadata="{gateway.base_url}/.well-known/oauth-protected-resource"' in (
        challenge
    )
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == gateway.base_url
    assert "orders:read" in metadata.json()["scopes_supported"]
    assert for_mcp.json()["resource"] == f"{gateway.base_url}/mcp"


@pytest.mark.parametrize("role", ["agent", "sales"])
async def test_no_tool_hands_out_a_salary_an_iban_or_a_credit_limit(
    gateway: McpGateway, role: str
) -> None:
    seeded = gateway.gql(gateway.token("hr", "finance"), SENSITIVE)["data"]
    accounts = [e["bankAccount"] for e in seeded["employees"]["nodes"] if e["bankAccount"]]
    ibans = {a["iban"] for a in accounts if a["iban"]}
    salaries = {
        e["salary"]["amount"]["amount"] for e in seeded["employees"]["nodes"] if e["salary"]
    }
    limits = {
        c["creditLimit"]["amount"]["amount"]
        for c in seeded["customers"]["nodes"]
        if c["creditLimit"]
    }
    assert ibans
    assert salaries
    assert limits
    secrets = {v.rstrip("0").rstrip(".") for v in salaries | limits} | ibans

    answers: list[str] = []
    async with gateway.client(gateway.token(role)) as client:
        for tool, arguments in [
            ("find_customers", {}),
            ("find_employees", {}),
            ("graphql_query", {"query": SENSITIVE}),
            (
                "graphql_query",
                {"query": '{ employee(id: "EU01:00100001") { salary { amount { amount } } } }'},
            ),
            (
                "graphql_query",
                {"query": "{ customers { nodes { creditLimit { amount { amount } } } } }"},
            ),
            ("schema_help", {"keywords": "salary"}),
        ]:
            text, _ = await text_of(client, tool, arguments)
            answers.append(text)

    for text in answers:
        assert not cells(text) & secrets, text
        assert not any(iban in text for iban in ibans)


async def test_another_companys_record_is_not_found(gateway: McpGateway) -> None:
    orders = gateway.gql(
        gateway.token("sales"), '{ salesOrders(connection: "US01", first: 1) { nodes { id } } }'
    )
    us_order = orders["data"]["salesOrders"]["nodes"][0]["id"]
    assert us_order.startswith("US01:")

    async with gateway.client(gateway.token("agent", companies=("EU01",))) as client:
        order, order_error = await text_of(client, "order_status", {"orderId": us_order})
        customers, _ = await text_of(client, "find_customers", {"max_tokens": 1500})

    assert order_error
    assert order.startswith("not found")
    assert "EU01:" in customers
    assert "US01:" not in customers


async def test_a_cut_answer_continues_exactly_with_its_cursor(gateway: McpGateway) -> None:
    everyone = gateway.gql(
        gateway.token("sales"), "{ customers(first: 100) { totalCount nodes { id } } }"
    )["data"]["customers"]
    seen: list[str] = []
    arguments: dict[str, Any] = {"max_tokens": 200}
    async with gateway.client(gateway.token("agent")) as client:
        for _ in range(50):
            text, error = await text_of(client, "find_customers", arguments)
            assert not error, text
            seen.extend(record_ids(text))
            more = re.search(r"^more: (\d+) left, cursor=(\S+)$", text, re.MULTILINE)
            if more is None:
                break
            assert int(more.group(1)) == everyone["totalCount"] - len(seen)
            arguments = {"max_tokens": 200, "cursor": more.group(2)}

    assert seen == [node["id"] for node in everyone["nodes"]]


async def test_every_tool_call_is_in_the_audit_chain(gateway: McpGateway) -> None:
    token = gateway.token("agent", subject="audited-agent")
    async with gateway.client(token) as client:
        orders, _ = await text_of(client, "customer_orders", {"customerId": "EU01:10100001"})
        refused, _ = await text_of(client, "find_employees", {"company": "1010"})

    entries = [e for e in gateway.audit_tail() if e["actor"] == "audited-agent"]
    by_action = {e["action"]: e for e in entries}
    listed = by_action["mcp:customer_orders"]
    assert listed["details"]["arguments"] == {"customerId": "EU01:10100001"}
    shown = record_ids(orders)
    assert shown
    assert set(shown) <= set(listed["details"]["records"])
    assert listed["outcome"] == "ok"
    assert by_action["mcp:find_employees"]["outcome"] == "rejected"
    assert "employees:read" in refused


async def test_local_mode_refuses_a_page_that_rebinds_a_foreign_name(gateway: McpGateway) -> None:
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {
        "Authorization": f"Bearer {gateway.token('agent')}",
        "Accept": "application/json, text/event-stream",
    }
    async with httpx.AsyncClient(base_url=gateway.base_url, headers=headers) as http:
        foreign = await http.post("/mcp", json=message, headers={"Host": "evil.example"})
        loopback = await http.post("/mcp", json=message)

    assert foreign.status_code == 421
    assert loopback.status_code == 200


async def test_tool_calls_are_counted_by_tool_with_their_errors(gateway: McpGateway) -> None:
    def counts(text: str) -> dict[str, float]:
        found: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.labels.get("api") == "mcp" and sample.name.endswith(
                    ("_count", "_errors_total")
                ):
                    found[f"{sample.name}:{sample.labels['operation']}"] = sample.value
        return found

    async with httpx.AsyncClient(base_url=gateway.base_url) as http:
        before = counts((await http.get("/metrics")).text)
        async with gateway.client(gateway.token("agent")) as client:
            await text_of(client, "find_products", {"nameContains": "Trailer"})
            await text_of(client, "find_employees", {"company": "1010"})
            await text_of(client, "no_such_tool", {})
        after = counts((await http.get("/metrics")).text)

    def added(series: str) -> float:
        return after.get(series, 0) - before.get(series, 0)

    duration, errors = (
        "erp_gateway_api_operation_duration_seconds_count",
        ("erp_gateway_api_operation_errors_total"),
    )
    assert added(f"{duration}:find_products") == 1
    assert added(f"{errors}:find_products") == 0
    assert added(f"{duration}:find_employees") == 1
    assert added(f"{errors}:find_employees") == 1  # the agent lacks employees:read
    assert added(f"{duration}:unknown") == 1
    assert added(f"{errors}:unknown") == 1
