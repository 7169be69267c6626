"""The limits hold for subscriptions over WebSocket too: refused when subscribing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.e2e.processes import command, free_port

ALIASES = "subscription { invoiceIssued { a: invoiceId b: invoiceId c: number d: status } }"
TOKENS = "subscription Bills { invoiceIssued { " + "invoiceId " * 20 + "} }"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("limits-ws")
    port = free_port()
    env = {"ERP_GATEWAY_GRAPHQL__MAX_ALIASES": "3", "ERP_GATEWAY_GRAPHQL__MAX_TOKENS": "20"}
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    with command(args, f"http://127.0.0.1:{port}/ready", env=env):
        yield f"ws://127.0.0.1:{port}/graphql"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ALIASES, {"code": "TOO_MANY_ALIASES", "limit": 3, "actual": 4}),
        (TOKENS, {"code": "TOO_MANY_TOKENS", "limit": 20, "actual": 27}),
    ],
    ids=["aliases", "tokens"],
)
async def test_a_subscription_over_a_limit_is_refused(
    gateway: str, query: str, expected: dict[str, object]
) -> None:
    async with connect(gateway, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(await ws.recv())
    assert message["type"] == "error"
    [error] = message["payload"]
    assert error["extensions"] == expected
