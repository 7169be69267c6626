"""An operator adds an agent tool without code: a GraphQL document in `[mcp] tools_dir`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from experience_api.app import create_app
from experience_api.mcp.config import McpSettings
from experience_api.security.dev_keys import load_or_create_dev_key
from experience_api.settings import Settings

pytestmark = pytest.mark.e2e
TOOL = """# Products of one product group with their list price.
query products_in_group($group: String!, $first: Int = 20, $after: String) {
  products(filter: { productGroup: $group }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { sku name price: listPrice { amount currency } }
  }
}
"""


@pytest.fixture
async def mcp(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "products_in_group.graphql").write_text(TOOL)
    settings = Settings(data_dir=tmp_path, mcp=McpSettings(tools_dir=tools))
    app = create_app(settings)
    token = load_or_create_dev_key(tmp_path).issue(
        audience="erp-gateway", subject="agent", roles=("agent",), companies=("*",)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json, text/event-stream",
        }
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000", headers=headers
        ) as client:
            yield client


async def rpc(client: httpx.AsyncClient, method: str, params: dict[str, Any]) -> Any:
    message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    response = await client.post("/mcp", json=message)
    assert response.status_code == 200, response.text
    return response.json()["result"]


async def test_a_document_in_the_tools_folder_is_a_tool(mcp: httpx.AsyncClient) -> None:
    found = await mcp.post(
        "/graphql", json={"query": "{ products(first: 1) { nodes { sku productGroup } } }"}
    )
    product = found.json()["data"]["products"]["nodes"][0]
    listed = await rpc(mcp, "tools/list", {})
    tool = next(t for t in listed["tools"] if t["name"] == "products_in_group")
    called = await rpc(
        mcp,
        "tools/call",
        {"name": "products_in_group", "arguments": {"group": product["productGroup"]}},
    )
    missing = await rpc(mcp, "tools/call", {"name": "products_in_group", "arguments": {}})

    assert tool["description"].startswith("Products of one product group")
    assert tool["inputSchema"]["required"] == ["group"]
    assert tool["inputSchema"]["properties"]["first"] == {"type": "integer", "default": 20}
    assert called["isError"] is False, called
    assert product["sku"] in called["content"][0]["text"].splitlines()[2]
    assert missing["isError"] is True
    assert "$group" in missing["content"][0]["text"]
