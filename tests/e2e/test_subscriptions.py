"""GraphQL subscriptions over a real WebSocket (graphql-transport-ws) against a real gateway
process: a client follows an order while another client places, ships and bills it. The
gateway runs with its in-process bus, then with RabbitMQ, where an external consumer's
durable queue gets the same events."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from experience_api.security.dev_keys import load_or_create_dev_key
from tests.e2e.processes import command, free_port
from tests.support.services import RABBITMQ_PORT, require

CUSTOMER = "EU01:10100001"
SKU = "TG11"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"

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
ALL_INVOICES = "subscription { invoiceIssued { invoiceId } }"


@dataclass
class Gateway:
    address: str
    data_dir: Path
    exchange: str | None = None
    """The RabbitMQ exchange it publishes to; None with the in-process bus."""

    def token(self, *roles: str, companies: tuple[str, ...]) -> str:
        key = load_or_create_dev_key(self.data_dir)
        return key.issue(audience="erp-gateway", subject="e2e", roles=roles, companies=companies)


@pytest.fixture(scope="module", params=["memory", "rabbitmq"])
def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    env: dict[str, str] = {}
    exchange = None
    if request.param == "rabbitmq":
        require(RABBITMQ_PORT, "RabbitMQ")
        exchange = f"erp-gateway.e2e.{uuid.uuid4().hex[:12]}"
        env = {
            "ERP_GATEWAY_EVENTS__BROKER": "rabbitmq",
            "ERP_GATEWAY_EVENTS__RABBITMQ_URL": RABBITMQ,
            "ERP_GATEWAY_EVENTS__EXCHANGE": exchange,
        }
    data: Path = tmp_path_factory.mktemp("gw")
    port = free_port()
    args = ["serve", "--port", str(port), "--data-dir", str(data)]
    with command(args, f"http://127.0.0.1:{port}/health", env=env):
        if exchange is not None:
            asyncio.run(_until_declared(exchange))
        yield Gateway(f"127.0.0.1:{port}", data, exchange)
    if exchange is not None:
        asyncio.run(_delete_exchange(exchange))


async def _until_declared(name: str) -> None:
    """The gateway connects to RabbitMQ in the background: wait until its exchange exists."""
    connection = await aio_pika.connect(RABBITMQ)
    async with connection, asyncio.timeout(30):
        while True:
            channel = await connection.channel()
            try:
                await channel.get_exchange(name, ensure=True)
                break
            except aio_pika.exceptions.ChannelNotFoundEntity:
                await asyncio.sleep(0.1)  # a failed passive declare closes the channel
    await asyncio.sleep(0.2)  # its queue is bound right after


async def _delete_exchange(name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        await channel.exchange_delete(name)


@pytest.fixture
async def http(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{gateway.address}", timeout=30) as client:
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
        await asyncio.sleep(0.5)
        return op

    async def receive(self, seconds: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message["type"] not in ("ping", "pong"):
                    return message

    async def complete(self, op: str) -> None:
        await self.ws.send(json.dumps({"id": op, "type": "complete"}))


async def open_socket(gateway: Gateway, token: str | None = None) -> GraphQLSocket:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    ws = await connect(
        f"ws://{gateway.address}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    )
    assert ws.subprotocol == "graphql-transport-ws"
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    ack = json.loads(await ws.recv())
    assert ack["type"] == "connection_ack"
    return GraphQLSocket(ws)


@pytest.fixture
async def socket(gateway: Gateway) -> AsyncIterator[GraphQLSocket]:
    client = await open_socket(gateway)
    yield client
    await client.ws.close()


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
    while not got[bills] or [m["orderStatusChanged"]["status"] for m in got[follow]][-1:] != [
        "INVOICED"
    ]:
        message = await socket.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        got[message["id"]].append(message["payload"]["data"])

    statuses = [m["orderStatusChanged"] for m in got[follow]]
    # Right after start-up the relay may still be connecting to RabbitMQ, so the order's
    # first status can arrive after the subscription began; the rest is always there.
    assert [s["status"] for s in statuses] in (
        ["SHIPPED", "INVOICED"],
        ["ORDERED", "SHIPPED", "INVOICED"],
    )
    assert {s["orderId"] for s in statuses} == {order["id"]}
    assert {s["number"] for s in statuses} == {order["number"]}
    assert {s["connection"] for s in statuses} == {"EU01"}
    assert statuses[-2]["occurredAt"] <= statuses[-1]["occurredAt"]
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
    if change["status"] == "ORDERED":
        # Its "ordered" event may be published after the subscription began (it goes
        # through the broker): it is this order's, and the next one is the shipment.
        assert change["orderId"] == mine["id"]
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
    assert message["type"] == "next"
    assert "malformed id" in message["payload"]["errors"][0]["message"]
    assert await socket.receive() == {"id": op, "type": "complete"}


async def test_a_caller_gets_only_events_of_its_companies(
    gateway: Gateway, http: httpx.AsyncClient, socket: GraphQLSocket
) -> None:
    elsewhere = await open_socket(gateway, gateway.token("sales", "finance", companies=("US01",)))
    try:
        order = await place(http, "sub-e2e-4")
        forbidden = await elsewhere.subscribe(ORDER_STATUS, id=order["id"])
        refused = await elsewhere.receive()
        assert refused["id"] == forbidden
        assert refused["type"] == "next"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await elsewhere.receive() == {"id": forbidden, "type": "complete"}

        await elsewhere.subscribe(ALL_INVOICES)
        mine = await socket.subscribe(ALL_INVOICES)
        await gql(http, FULFIL, id=order["id"])
        billed = await gql(http, INVOICE, id=order["id"])

        seen = await socket.receive()
        assert seen["id"] == mine
        assert (
            seen["payload"]["data"]["invoiceIssued"]["invoiceId"]
            == (billed["invoiceOrder"]["invoice"]["id"])
        )
        with pytest.raises(TimeoutError):  # an EU01 invoice is not for a US01 caller
            await elsewhere.receive(seconds=1)
    finally:
        await elsewhere.ws.close()


@pytest.mark.parametrize("gateway", ["rabbitmq"], indirect=True)
async def test_an_external_consumer_gets_the_order_events_from_rabbitmq(
    gateway: Gateway, http: httpx.AsyncClient
) -> None:
    assert gateway.exchange is not None
    connection = await aio_pika.connect(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"{gateway.exchange}.crm", durable=True)
        await queue.bind(gateway.exchange, routing_key="order.status_changed")
        try:
            order = await place(http, "sub-e2e-5")
            await gql(http, FULFIL, id=order["id"])
            bodies: list[dict[str, Any]] = []
            async with asyncio.timeout(10):
                while len(bodies) < 2:
                    message = await queue.get(no_ack=True, fail=False)
                    if message is None:
                        await asyncio.sleep(0.05)
                        continue
                    assert message.content_type == "application/json"
                    bodies.append(json.loads(message.body))
        finally:
            await queue.delete(if_unused=False, if_empty=False)
    assert [(b["type"], b["data"]["order_id"], b["data"]["status"]) for b in bodies] == [
        ("order.status_changed", order["id"], "ordered"),
        ("order.status_changed", order["id"], "shipped"),
    ]
