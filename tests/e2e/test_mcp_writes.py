"""Writes by agents over MCP, only as configured: with approval a write waits for a person,
runs once when approved, never when rejected; switched on it runs at once. Either way it
needs the caller's own scope and an idempotency key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.mcp_clients import McpGateway, gateway_process, text_of

pytestmark = pytest.mark.e2e
CUSTOMER = "EU01:10100003"
ORDERS = "query($c: ID!) { salesOrders(filter: { customerId: $c }) { totalCount } }"
APPROVE = """mutation($id: ID!) { approveAgentWrite(id: $id) {
  request { status result decidedBy } errors { code message } } }"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpGateway]:
    yield from gateway_process(tmp_path_factory.mktemp("mcp-writes"), 'writes = "approval"')


def order_count(gateway: McpGateway) -> int:
    body = gateway.gql(gateway.token("sales"), ORDERS, c=CUSTOMER)
    count: int = body["data"]["salesOrders"]["totalCount"]
    return count


def place(key: str) -> dict[str, Any]:
    return {
        "customerId": CUSTOMER,
        "lines": [{"sku": "TG11", "quantity": 1}],
        "idempotencyKey": key,
    }


def request_id(text: str) -> str:
    found = re.search(r"^request: (\S+)$", text, re.MULTILINE)
    assert found, text
    return found.group(1)


async def test_an_approved_write_runs_once_as_the_agent(gateway: McpGateway) -> None:
    before = order_count(gateway)
    agent = gateway.token("sales", subject="order-agent", client_id="order-agent")

    async with gateway.client(agent) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        asked, asked_error = await text_of(client, "place_order", place("agent-order-1"))
        again, _ = await text_of(client, "place_order", place("agent-order-1"))
        pending, _ = await text_of(client, "write_request_status", {"requestId": request_id(asked)})
        assert order_count(gateway) == before

        admin = gateway.token("admin", subject="reviewer")
        approved = gateway.gql(admin, APPROVE, id=request_id(asked))["data"]["approveAgentWrite"]
        twice = gateway.gql(admin, APPROVE, id=request_id(asked))["data"]["approveAgentWrite"]
        done, _ = await text_of(client, "write_request_status", {"requestId": request_id(asked)})

    assert {
        "place_order",
        "fulfill_order",
        "invoice_order",
        "cancel_order",
        "write_request_status",
    } <= tools
    assert not asked_error
    assert "status: pending" in asked
    assert request_id(again) == request_id(asked)
    assert "status: pending" in pending
    assert approved["errors"] == []
    assert approved["request"]["status"] == "DONE"
    assert approved["request"]["decidedBy"] == "graphql:reviewer"
    assert twice["errors"][0]["code"] == "INVALID_STATE"
    assert order_count(gateway) == before + 1
    assert "status: done" in done
    assert "ORDERED" in done


async def test_a_rejected_write_never_runs_and_the_agent_reads_why(gateway: McpGateway) -> None:
    before = order_count(gateway)
    agent = gateway.token("sales", subject="order-agent", client_id="order-agent")
    async with gateway.client(agent) as client:
        asked, _ = await text_of(client, "place_order", place("agent-order-2"))
        rejected = gateway.cli("agent-writes", "reject", request_id(asked), "--note", "not today")
        approved = gateway.cli("agent-writes", "approve", request_id(asked))
        status, _ = await text_of(client, "write_request_status", {"requestId": request_id(asked)})

    assert rejected.returncode == 0, rejected.stderr
    assert json.loads(rejected.stdout)["status"] == "rejected"
    assert approved.returncode == 3
    assert "rejected, not pending" in approved.stderr
    assert "status: rejected" in status
    assert "note: not today" in status
    assert order_count(gateway) == before


async def test_the_cli_approves_a_write(gateway: McpGateway) -> None:
    # The CLI runs the write itself (in the embedded default, against its own sandbox).
    agent = gateway.token("sales", subject="order-agent", client_id="order-agent")
    async with gateway.client(agent) as client:
        asked, _ = await text_of(client, "place_order", place("agent-order-3"))
        listed = gateway.cli("agent-writes", "list", "--status", "pending")
        approved = gateway.cli("agent-writes", "approve", request_id(asked))
        again = gateway.cli("agent-writes", "approve", request_id(asked))
        status, _ = await text_of(client, "write_request_status", {"requestId": request_id(asked)})

    assert request_id(asked) in [r["id"] for r in json.loads(listed.stdout)]
    assert approved.returncode == 0, approved.stderr
    done = json.loads(approved.stdout)
    assert done["status"] == "done"
    assert re.search(r"^id: EU01:\d+$", done["result"], re.MULTILINE), done["result"]
    assert done["decided_by"].startswith("cli:")
    assert again.returncode == 3
    assert "status: done" in status
    assert done["result"] in status


async def test_a_write_needs_the_callers_scope_a_key_and_is_its_own(
    gateway: McpGateway,
) -> None:
    async with gateway.client(gateway.token("agent")) as client:
        refused, refused_error = await text_of(client, "place_order", place("agent-order-4"))
    async with gateway.client(gateway.token("sales", client_id="order-agent")) as client:
        keyless, keyless_error = await text_of(
            client,
            "place_order",
            {"customerId": CUSTOMER, "lines": [{"sku": "TG11", "quantity": 1}]},
        )
        mine, _ = await text_of(client, "place_order", place("agent-order-5"))
    async with gateway.client(gateway.token("sales", client_id="someone-else")) as client:
        theirs, theirs_error = await text_of(
            client, "write_request_status", {"requestId": request_id(mine)}
        )

    assert refused_error
    assert "orders:write" in refused
    assert keyless_error
    assert "idempotencyKey" in keyless
    assert theirs_error
    assert theirs == "not found"


async def test_writes_switched_on_run_at_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    for direct in gateway_process(tmp_path_factory.mktemp("mcp-writes-on"), 'writes = "on"'):
        before = order_count(direct)
        async with direct.client(direct.token("sales")) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            placed, error = await text_of(client, "place_order", place("direct-1"))
            again, _ = await text_of(client, "place_order", place("direct-1"))
            order_id = re.search(r"EU01:\d+", placed)
            assert order_id, placed
            cancel = {"orderId": order_id.group(0), "reason": "agent test", "idempotencyKey": "c-1"}
            cancelled, cancel_error = await text_of(client, "cancel_order", cancel)

        assert "write_request_status" not in tools
        assert not error, placed
        assert "ORDERED" in placed
        assert again == placed
        assert order_count(direct) == before + 1
        assert not cancel_error, cancelled
        assert "CANCELLED" in cancelled
