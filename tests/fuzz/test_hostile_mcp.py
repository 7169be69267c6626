"""POST /mcp (the MCP server's Streamable HTTP endpoint) under the same hostile bodies, and
tool calls with hostile arguments: never a 5xx, never a traceback in the log, a refused
request is a JSON-RPC error that reaches no ERP, and no tool fails unexpectedly."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import Gateway
from tests.fuzz.hostile import (
    BODIES,
    DOCUMENTS,
    HAND_PICKED,
    HUGE_INTEGERS,
    JSON,
    JSON_VALUES,
    ODD_TEXT,
    Hostile,
)

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ACCEPT = "application/json, text/event-stream"
UNEXPECTED = "Unexpected error."
TOOL_CALLS = st.one_of(
    st.fixed_dictionaries(
        {"name": st.just("find_customers")},
        optional={
            "arguments": st.fixed_dictionaries(
                {},
                optional={
                    "nameContains": st.one_of(ODD_TEXT, JSON_VALUES),
                    "country": st.one_of(ODD_TEXT, JSON_VALUES),
                    "first": st.one_of(HUGE_INTEGERS, JSON_VALUES),
                },
            )
        },
    ),
    st.fixed_dictionaries(
        {
            "name": st.just("graphql_query"),
            "arguments": st.fixed_dictionaries(
                {"query": st.one_of(DOCUMENTS, JSON_VALUES)}, optional={"variables": JSON_VALUES}
            ),
        }
    ),
    st.fixed_dictionaries({"name": st.one_of(ODD_TEXT, JSON_VALUES), "arguments": JSON_VALUES}),
)


async def post(gateway: Gateway, body: bytes, content_type: str = JSON) -> httpx.Response:
    before = gateway.erp_requests
    headers = {"Content-Type": content_type, "Accept": ACCEPT}
    response = await gateway.client.post("/mcp", content=body, headers=headers)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if response.status_code >= 400:
        assert gateway.erp_requests == before, f"a refused request reached the ERP: {body[:300]!r}"
    assert UNEXPECTED not in response.text, response.text[:500]
    assert not gateway.tracebacks(), gateway.tracebacks()
    return response


@pytest.mark.parametrize("case", HAND_PICKED, ids=[case.name for case in HAND_PICKED])
async def test_a_hostile_body_is_refused(gateway: Gateway, case: Hostile) -> None:
    response = await post(gateway, case.body, case.content_type)
    assert 400 <= response.status_code < 500
    if response.headers.get("content-type", "").startswith(JSON):
        assert "error" in response.json()


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(params=TOOL_CALLS)
async def test_generated_tool_calls_never_fail_the_server(
    gateway: Gateway, params: dict[str, Any]
) -> None:
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    await post(gateway, json.dumps(call).encode("utf-8", "surrogatepass"))


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=BODIES)
async def test_generated_bodies_never_fail_the_server(gateway: Gateway, body: bytes) -> None:
    await post(gateway, body)


@pytest.mark.parametrize(
    ("arguments", "refusal"),
    [
        ({"nameContains": "a\x00b"}, "U+0000"),
        ({"nameContains": json.loads("[" * 40 + "]" * 40)}, "nested more than"),
    ],
    ids=["NUL", "nested 40 levels"],
)
async def test_a_hostile_tool_argument_reaches_no_erp(
    gateway: Gateway, arguments: dict[str, Any], refusal: str
) -> None:
    before = gateway.erp_requests
    params = {"name": "find_customers", "arguments": arguments}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    response = await post(gateway, json.dumps(call).encode())
    result = response.json()["result"]
    assert result["isError"] is True, result
    assert refusal in result["content"][0]["text"], result
    assert gateway.erp_requests == before
