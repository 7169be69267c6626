"""A client not written in Python: the MCP Inspector's CLI (npm) against a gateway process.

``make test`` installs it from tests/mcp_inspector/package-lock.json. Without npm the tests
skip, saying why; in CI (CI=true) they fail instead, so they never silently stop running.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.mcp_clients import McpGateway, gateway_process

pytestmark = pytest.mark.e2e
INSPECTOR = Path(__file__).parents[1] / "mcp_inspector" / "node_modules" / ".bin" / "mcp-inspector"


@pytest.fixture(scope="module")
def inspector() -> Path:
    if INSPECTOR.exists():
        return INSPECTOR
    reason = "the MCP Inspector is not installed: `make test` installs it with npm"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run these tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpGateway]:
    yield from gateway_process(tmp_path_factory.mktemp("mcp-inspector"))


def run(
    inspector: Path, gateway: McpGateway, token: str, *arguments: str, status: int = 0
) -> dict[str, Any]:
    done = subprocess.run(
        [
            *(str(inspector), "--cli", gateway.mcp_url, "--transport", "http"),
            *("--header", f"Authorization: Bearer {token}", *arguments),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == status, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_inspector_lists_the_tools_and_calls_one(inspector: Path, gateway: McpGateway) -> None:
    token = gateway.token("agent")

    listed = run(inspector, gateway, token, "--method", "tools/list")
    called = run(
        inspector,
        gateway,
        token,
        *("--method", "tools/call", "--tool-name", "stock_availability"),
        *("--tool-arg", "sku=TG11"),
    )

    tools = {tool["name"]: tool for tool in listed["tools"]}
    assert tools["stock_availability"]["inputSchema"]["required"] == ["sku"]
    assert tools["stock_availability"]["annotations"]["readOnlyHint"] is True
    assert called["isError"] is False
    text = called["content"][0]["text"]
    assert text.splitlines()[:2] == ["[inventory]", "location|qty(PC)|source"]


def test_the_inspector_is_refused_what_the_token_does_not_grant(
    inspector: Path, gateway: McpGateway
) -> None:
    called = run(
        inspector,
        gateway,
        gateway.token("agent"),
        *("--method", "tools/call", "--tool-name", "find_employees"),
        status=5,  # the Inspector's exit code for a tool result with isError
    )

    assert called["isError"] is True
    assert "employees:read" in called["content"][0]["text"]
