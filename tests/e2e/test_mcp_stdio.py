"""Agents over MCP on stdio: ``erp-gateway mcp`` as a subprocess of the SDK's client, with
its token from ERP_GATEWAY_TOKEN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from experience_api.mcp.config import TOKEN_ENV
from experience_api.security.dev_keys import load_or_create_dev_key
from tests.e2e.mcp_clients import text_of

pytestmark = pytest.mark.e2e


def mcp_command(
    data_dir: Path, token: str | None, config: Path | None = None
) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    if token is not None:
        env[TOKEN_ENV] = token
    args = ["-m", "experience_api.cli", "mcp", "--data-dir", str(data_dir)]
    return StdioServerParameters(
        command=sys.executable,
        args=args + (["--config", str(config)] if config else []),
        env=env,
    )


def token(data_dir: Path, *roles: str, subject: str = "desktop-agent") -> str:
    key = load_or_create_dev_key(data_dir)
    return key.issue(audience="erp-gateway", subject=subject, roles=roles, companies=("*",))


async def test_an_agent_reads_orders_over_stdio_as_its_token_allows(tmp_path: Path) -> None:
    agent = token(tmp_path, "agent")

    async with Client(mcp_command(tmp_path, agent)) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        orders, orders_error = await text_of(
            client, "customer_orders", {"customerId": "EU01:10100001"}
        )
        employees, employees_error = await text_of(client, "find_employees", {})

    assert {"customer_orders", "order_status", "schema_help"} <= tools
    assert not orders_error
    assert orders.splitlines()[:2] == ["[salesOrders] EUR", "id|date|net|status"]
    assert employees_error
    assert "employees:read" in employees


async def test_tool_calls_over_stdio_count_against_the_clients_rate_limit(
    tmp_path: Path,
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('[auth.rate_limit]\nper_role = { agent = "2/minute" }\n')
    agent = token(tmp_path, "agent")

    async with Client(mcp_command(tmp_path, agent, config)) as client:
        answers = [await text_of(client, "stock_availability", {"sku": "TG11"}) for _ in range(3)]

    assert [error for _, error in answers] == [False, False, True]
    assert answers[2][0].startswith("rate limit exceeded")


def test_a_refused_token_stops_the_server_before_it_serves(tmp_path: Path) -> None:
    load_or_create_dev_key(tmp_path)
    params = mcp_command(tmp_path, "not-a-token")

    done = subprocess.run(
        [params.command, *params.args],
        env=params.env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert f"the token in {TOKEN_ENV} is refused" in done.stderr
    assert done.stdout == ""
