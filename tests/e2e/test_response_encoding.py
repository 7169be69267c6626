"""GraphQL answers on the wire: UTF-8 JSON whatever the ERP's text holds, over HTTP and
WebSocket alike (graphql-ws clients read text frames only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.processes import command, free_port

NAMES = "{ customers(first: 50) { nodes { name address { city street } } } }"
EXPECTED = {"Müller Maschinenbau GmbH", "Bäckerei Hofmann KG"}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("encoding")
    port = free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    with command(args, f"http://127.0.0.1:{port}/ready"):
        yield f"127.0.0.1:{port}"


async def test_text_of_the_erp_arrives_as_utf8_json(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{gateway}") as client:
        response = await client.post("/graphql", json={"query": NAMES})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    raw = response.content.decode("utf-8")
    assert "Königstraße" in raw  # as the ERP wrote it, not \u-escaped
    nodes = json.loads(raw)["data"]["customers"]["nodes"]
    assert {node["name"] for node in nodes} >= EXPECTED
    assert "München" in {node["address"]["city"] for node in nodes}


async def test_websocket_answers_are_text_frames(gateway: str) -> None:
    async with connect(f"ws://{gateway}/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": NAMES}}))
        frame = await ws.recv()
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    message = json.loads(frame)
    assert message["type"] == "next", message
    assert {node["name"] for node in message["payload"]["data"]["customers"]["nodes"]} >= EXPECTED
