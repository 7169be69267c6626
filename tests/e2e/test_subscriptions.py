"""GraphQL subscriptions over a real WebSocket (graphql-transport-ws) against a real gateway
process: a client follows an order while another client places, ships and bills it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.processes import command, free_port

CUSTOMER = "EU01:10100001"
SKU = "TG11"

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id number status } errors { message } }
}"""
FULFIL = """
mutation Fulfil($id: ID!) { fulfillOrder(orderId: $id) { delivery { id } errors { message } } }
"""
INVOICE = """
mutation Bill($id: ID!) {
  invoiceOrder(orderId: $id) {
    invoice { id number grossAmount { amount currency } } errors { message }
  }
}"""
ORDER_STATUS = """
subscription Follow($id: ID!) {
  orderStatusChanged(orderId: $id) { eventId orderId number status connection occurredAt }
}"""
INVOICES = """
subscription Bills {
  invoiceIssued(connection: "EU01") {
    invoiceId number orderIds status grossAmount { amount currency } connection
  }
}"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("gw")
    port = free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data)]
    with command(args, f"http://127.0.0.1:{port}/health"):
        yield f"127.0.0.1:{port}"


@pytest.fixture
async def http(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{gateway}", timeout=30) as client:
        yield client


async def gql(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


class GraphQLSocket:
    """A graphql-transport-ws client: one connection, operations by id."""

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self._next_id = 0

    async def subscribe(self, query: str, **variables: Any) -> str:
        self._next_id += 1
        op = str(self._next_id)
        payload = {"query": query, "variables": variables}
        await self.ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
        # A ping answered means the server has read the subscribe message before it; the
        # pause lets it register the subscriber before the test changes anything.
        await self.ws.send(json.dumps({"type": "ping"}))
        await asyncio.sleep(0.3)
        return op

    async def receive(self, seconds: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message["type"] not in ("ping", "pong"):
                    return message

    async def complete(self, op: str) -> None:
        await self.ws.send(json.dumps({"id": op, "type": "complete"}))


@pytest.fixture
async def socket(gateway: str) -> AsyncIterator[GraphQLSocket]:
    async with connect(f"ws://{gateway}/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "graphql-transport-ws"
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack"
        yield GraphQLSocket(ws)


async def place(http: httpx.AsyncClient, key: str, quantity: str = "1") -> dict[str, Any]:
    data = await gql(
        http,
        PLACE,
        input={
            "idempotencyKey": key,
            "customerId": CUSTOMER,
            "lines": [{"sku": SKU, "quantity": quantity}],
        },
    )
    assert data["placeOrder"]["errors"] == []
    order: dict[str, Any] = data["placeOrder"]["order"]
    return order


async def test_a_subscriber_sees_the_order_shipped_then_invoiced(
    http: httpx.AsyncClient, socket: GraphQLSocket
) -> None:
    order = await place(http, "sub-e2e-1")
    follow = await socket.subscribe(ORDER_STATUS, id=order["id"])
    bills = await socket.subscribe(INVOICES)

    fulfilled = await gql(http, FULFIL, id=order["id"])
    assert fulfilled["fulfillOrder"]["errors"] == []
    billed = await gql(http, INVOICE, id=order["id"])
    invoice = billed["invoiceOrder"]["invoice"]

    got: dict[str, list[dict[str, Any]]] = {follow: [], bills: []}
    while len(got[follow]) < 2 or len(got[bills]) < 1:
        message = await socket.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        got[message["id"]].append(message["payload"]["data"])

    statuses = [m["orderStatusChanged"] for m in got[follow]]
    assert [s["status"] for s in statuses] == ["SHIPPED", "INVOICED"]
    assert {s["orderId"] for s in statuses} == {order["id"]}
    assert {s["number"] for s in statuses} == {order["number"]}
    assert {s["connection"] for s in statuses} == {"EU01"}
    assert statuses[0]["occurredAt"] <= statuses[1]["occurredAt"]
    issued = got[bills][0]["invoiceIssued"]
    assert issued["invoiceId"] == invoice["id"]
    assert issued["number"] == invoice["number"]
    assert issued["orderIds"] == [order["id"]]
    assert issued["grossAmount"] == invoice["grossAmount"]

    # Repeating the steps changes nothing, so no further event arrives.
    await gql(http, FULFIL, id=order["id"])
    await gql(http, INVOICE, id=order["id"])
    with pytest.raises(TimeoutError):
        await socket.receive(seconds=1)
    await socket.complete(follow)
    await socket.complete(bills)


async def test_a_subscriber_sees_only_the_order_it_follows(
    http: httpx.AsyncClient, socket: GraphQLSocket
) -> None:
    mine = await place(http, "sub-e2e-2")
    other = await place(http, "sub-e2e-3")
    follow = await socket.subscribe(ORDER_STATUS, id=mine["id"])

    await gql(http, FULFIL, id=other["id"])
    await gql(http, FULFIL, id=mine["id"])

    message = await socket.receive()
    assert message["id"] == follow
    change = message["payload"]["data"]["orderStatusChanged"]
    assert (change["orderId"], change["status"]) == (mine["id"], "SHIPPED")
    with pytest.raises(TimeoutError):
        await socket.receive(seconds=1)


async def test_a_malformed_order_id_is_refused_with_a_clear_error(socket: GraphQLSocket) -> None:
    op = await socket.subscribe(ORDER_STATUS, id="no-such-shape")
    message = await socket.receive()
    assert message["id"] == op
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert "malformed id" in errors[0]["message"]
