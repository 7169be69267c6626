"""A gateway process with two embedded SAP companies (EU01, US01) and MCP clients for it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from experience_api.security.dev_keys import load_dev_key
from tests.e2e.processes import command, free_port

CONFIG = """
[[connections]]
name = "EU01"
employees_from = "SF01"

[[connections]]
name = "US01"
employees_from = "SF01"

[[connections]]
name = "SF01"
kind = "successfactors"

[mcp]
max_tokens = 1500
"""


@dataclass
class McpGateway:
    base_url: str
    data_dir: Path
    config: Path

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def token(
        self,
        *roles: str,
        companies: tuple[str, ...] = ("*",),
        subject: str = "agent-e2e",
        client_id: str | None = None,
    ) -> str:
        key = load_dev_key(self.data_dir)
        assert key is not None
        extra = {} if client_id is None else {"client_id": client_id}
        return key.issue(
            audience="erp-gateway", subject=subject, roles=roles, companies=companies, **extra
        )

    @asynccontextmanager
    async def client(self, token: str | None) -> AsyncIterator[Client]:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        async with (
            create_mcp_http_client(headers=headers) as http,
            Client(streamable_http_client(self.mcp_url, http_client=http)) as client,
        ):
            yield client

    def gql(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def cli(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *(sys.executable, "-m", "experience_api.cli", *arguments),
                *("--config", str(self.config), "--data-dir", str(self.data_dir)),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def audit_tail(self, n: int = 200) -> list[dict[str, Any]]:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "experience_api.cli", "audit", "tail", "-n", str(n)),
                *("--config", str(self.config), "--data-dir", str(self.data_dir)),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def gateway_process(root: Path, mcp: str = "") -> Iterator[McpGateway]:
    """A gateway process; ``mcp`` adds lines to its ``[mcp]`` section."""
    config = root / "gateway.toml"
    config.write_text(CONFIG + mcp + "\n")
    data_dir = root / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir), "--config", str(config)]
    with command(args, f"{base}/health"):
        yield McpGateway(base, data_dir, config)


async def text_of(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[str, bool]:
    result = await client.call_tool(tool, arguments)
    texts = [getattr(block, "text", "") for block in result.content]
    return "\n".join(texts), bool(result.is_error)


def record_ids(text: str) -> list[str]:
    """The ids in the first column of an answer's tables, their shared start put back
    (``ids: EU01:`` at the top, or ``id(EU01:)`` in a header)."""
    ids: list[str] = []
    top = ""
    header: list[str] | None = None
    prefix: str | None = None
    for line in text.splitlines():
        if line.startswith("ids: "):
            top = line.removeprefix("ids: ")
        elif line.startswith("["):
            header = []
        elif header == []:
            header = line.split("|")
            first = header[0]
            prefix = first[3:-1] if first.startswith("id(") else top if first == "id" else None
        elif prefix is not None and line and not line.startswith(("more:", " ")):
            ids.append(prefix + line.split("|")[0])
    return ids
