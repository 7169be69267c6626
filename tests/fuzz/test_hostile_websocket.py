"""Subscriptions over graphql-transport-ws read their messages with the same bounded JSON
reader: a hostile message closes the connection with 4400, a hostile document gets an
``error`` message with its code, and the server neither fails nor logs a traceback.

A real gateway process over loopback, as a WebSocket client meets it; its log must hold no
traceback after any of these.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.processes import command, free_port
from tests.fuzz.hostile import HAND_PICKED, JSON, nested

pytestmark = pytest.mark.e2e

READER_CODES = {"JSON_TOO_DEEP", "NUMBER_TOO_LARGE", "UNSUPPORTED_CHARACTER", "BAD_REQUEST_BODY"}
SUBSCRIBE = "subscription {sub} {{ invoiceIssued{args} {{ invoiceId }} }}"
TWO = SUBSCRIBE.format(sub="A", args="") + " " + SUBSCRIBE.format(sub="B", args="")


def _readable(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:  # a text frame is UTF-8 by definition: nothing to send
        return None


PAYLOADS = [
    (case.name, text)
    for case in HAND_PICKED
    if case.code in READER_CODES and not case.in_document and case.content_type == JSON
    if (text := _readable(case.body)) is not None and text.startswith("{")
]
SUBSCRIBE_TO = '{"id": "1", "type": "subscribe", "payload": %s}'
MESSAGES = [
    *((name, SUBSCRIBE_TO % payload) for name, payload in PAYLOADS),
    ("an array", "[1]"),
    ("a string", '"subscribe"'),
    ("type not a string", '{"type": ["subscribe"]}'),
    ("id not a string", '{"id": [1], "type": "subscribe", "payload": {"query": "{ a }"}}'),
    ("no id", '{"type": "subscribe", "payload": {"query": "{ __typename }"}}'),
    ("payload not an object", '{"id": "1", "type": "subscribe", "payload": [1]}'),
    ("query not a string", SUBSCRIBE_TO % '{"query": 1}'),
    ("query missing", SUBSCRIBE_TO % '{"variables": {}}'),
    ("variables not an object", SUBSCRIBE_TO % '{"query": "{ __typename }", "variables": [1]}'),
    ("operationName a number", SUBSCRIBE_TO % '{"query": "{ __typename }", "operationName": 1}'),
]
DOCUMENTS = [
    ("two subscriptions, no name", TWO, "OPERATION_NAME_REQUIRED"),
    (
        "5,000-digit literal",
        SUBSCRIBE.format(sub="", args="(connection: " + "9" * 5000 + ")"),
        "NUMBER_TOO_LARGE",
    ),
    (
        "NUL in a literal",
        SUBSCRIBE.format(sub="", args='(connection: "a\\u0000")'),
        "UNSUPPORTED_CHARACTER",
    ),
    ("deep list literal", SUBSCRIBE.format(sub="", args="(connection: " + nested(900) + ")"), None),
]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir: Path = tmp_path_factory.mktemp("hostile-ws")
    log = data_dir / "gateway.log"
    port = free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    with command(args, f"http://127.0.0.1:{port}/ready", output=log):
        yield f"ws://127.0.0.1:{port}/graphql", log


async def _initialised(url: str) -> Any:
    ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def _close_code(ws: ClientConnection) -> int | None:
    try:
        message = await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    raise AssertionError(f"expected the connection closed, got {message!r:.300}")


@pytest.mark.parametrize(("name", "message"), MESSAGES, ids=[name for name, _ in MESSAGES])
async def test_a_hostile_message_closes_the_connection(
    gateway: tuple[str, Path], name: str, message: str
) -> None:
    url, log = gateway
    ws = await _initialised(url)
    try:
        await ws.send(message)
        assert await _close_code(ws) == 4400
    finally:
        await ws.close()
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.mark.parametrize(
    ("name", "query", "code"), DOCUMENTS, ids=[name for name, _, _ in DOCUMENTS]
)
async def test_a_hostile_document_gets_an_error_message(
    gateway: tuple[str, Path], name: str, query: str, code: str | None
) -> None:
    """``code`` None: a syntax error, which graphql-transport-ws answers by closing (4400)."""
    url, log = gateway
    ws = await _initialised(url)
    try:
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": query}}
        await ws.send(json.dumps(subscribe))
        if code is None:
            assert await _close_code(ws) == 4400
        else:
            message = json.loads(await ws.recv())
            assert message["type"] == "error", message
            assert [e["extensions"]["code"] for e in message["payload"]] == [code]
    finally:
        await ws.close()
    assert "Traceback" not in log.read_text(errors="replace")


LEGACY = [(name, message.replace('"subscribe"', '"start"')) for name, message in MESSAGES]


@pytest.mark.parametrize(("name", "message"), LEGACY, ids=[name for name, _ in LEGACY])
async def test_the_legacy_protocol_survives_a_hostile_message(
    gateway: tuple[str, Path], name: str, message: str
) -> None:
    """graphql-ws (subscriptions-transport-ws) ignores a message that is not JSON to it and
    closes on a malformed one (4400); either way the server stays well."""
    url, log = gateway
    async with connect(url, subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(message)
        # The legacy protocol runs no queries: its refusal still shows the server listens.
        after = {"id": "2", "type": "start", "payload": {"query": "{ __typename }"}}
        answer: dict[str, Any] | None = None
        closed_with: int | None = None
        try:
            await ws.send(json.dumps(after))
            answer = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        except ConnectionClosed as closed:
            closed_with = closed.rcvd.code if closed.rcvd else None
    if answer is None:
        assert closed_with == 4400
    else:
        assert answer["id"] == "2", answer
    assert "Traceback" not in log.read_text(errors="replace")
