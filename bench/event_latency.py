"""Event latency: from a change to a GraphQL subscriber, and to a RabbitMQ consumer.

Starts a real gateway (embedded SAP sandbox, SQLite state) on a free loopback port, opens a
GraphQL WebSocket (graphql-transport-ws) and, with ``--rabbitmq``, a queue of its own bound
to every event type on the gateway's exchange; then a change source makes changes and every
event that arrives is timed from its ``occurred_at`` (the moment the gateway recorded the
change, or the ERP's change time for polled changes) to its arrival. Prints count, p50, p99
and max per outlet.

    .venv/bin/python bench/event_latency.py [--orders 350] [--concurrency 8] [--rabbitmq]

Sources are pluggable (:class:`ChangeSource`); ``orders`` places, ships and invoices orders
through GraphQL mutations: per order the subscriber gets ``shipped`` and ``invoiced`` on
``orderStatusChanged`` and one ``invoiceIssued``; RabbitMQ gets five events.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import aio_pika
import httpx
from websockets.asyncio.client import ClientConnection, connect

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class GatewayProcess:
    address: str
    """host:port"""
    pid: int


@contextlib.contextmanager
def gateway_process(
    data_dir: Path, env: dict[str, str], log_file: Path | None
) -> Iterator[GatewayProcess]:
    """``erp-gateway serve`` on a free port until the block ends."""
    port = free_port()
    log = (log_file or data_dir / "gateway.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "experience_api.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env={**os.environ, "ERP_GATEWAY_LOG_LEVEL": "info", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("gateway exited:\n" + Path(log.name).read_text())
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("gateway not ready after 60 s")
            time.sleep(0.2)
        yield GatewayProcess(f"127.0.0.1:{port}", process.pid)
    except BaseException:
        log.flush()
        tail = Path(log.name).read_text(errors="replace")[-4000:]
        print(f"gateway log (end):\n{tail}", file=sys.stderr)
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Arrivals:
    """Latency (seconds) of every event received, per outlet; each event once per outlet."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def record(self, outlet: str, event_id: str, occurred_at: str) -> None:
        if (outlet, event_id) in self.seen:
            return  # at-least-once: a repeat is not a second measurement
        self.seen.add((outlet, event_id))
        occurred = dt.datetime.fromisoformat(occurred_at.replace("Z", "+00:00"))
        latency = time.time() - occurred.timestamp()
        self.latencies.setdefault(outlet, []).append(latency)

    def count(self, outlet: str) -> int:
        return len(self.latencies.get(outlet, []))


class GraphQLSocket:
    """A graphql-transport-ws connection; each operation's events go to ``arrivals``."""

    def __init__(self, ws: ClientConnection, arrivals: Arrivals):
        self._ws = ws
        self._arrivals = arrivals
        self._ids = itertools.count(1)
        self.errors: list[Any] = []
        self._last: dict[str, dict[str, Any]] = {}
        self._arrived: dict[str, asyncio.Event] = {}

    async def subscribe(self, query: str, **variables: Any) -> str:
        op = str(next(self._ids))
        payload = {"query": query, "variables": variables}
        await self._ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
        return op

    async def complete(self, op: str) -> None:
        await self._ws.send(json.dumps({"id": op, "type": "complete"}))
        self._last.pop(op, None)
        self._arrived.pop(op, None)

    async def until(self, op: str, check: Callable[[dict[str, Any]], bool], seconds: float) -> bool:
        """Wait until an item of ``op`` passes ``check``; False when ``seconds`` passed first."""
        arrived = self._arrived.setdefault(op, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not check(self._last.get(op, {})):
                    arrived.clear()
                    await arrived.wait()
                return True
        return False

    async def listen(self) -> None:
        async for raw in self._ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await self._ws.send(json.dumps({"type": "pong"}))
            if message["type"] != "next":
                continue
            payload = message["payload"]
            if payload.get("errors"):
                self.errors.append(payload["errors"])
                continue
            for item in payload["data"].values():
                self._arrivals.record("graphql", item["eventId"], item["occurredAt"])
                self._last[message["id"]] = item
            self._arrived.setdefault(message["id"], asyncio.Event()).set()


@dataclass
class Bench:
    """What a change source works with."""

    http: httpx.AsyncClient
    socket: GraphQLSocket

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]  # type: ignore[no-any-return]


class ChangeSource(Protocol):
    """Makes changes whose events the bench times. Push (inbound webhooks) and polled (change
    capture) sources plug in beside the order mutations."""

    name: str
    expected_graphql: int
    """Events per change a GraphQL subscriber receives at least."""
    expected_rabbitmq: int
    """Events per change on the exchange, at least."""
    gateway_env: dict[str, str]
    """Settings the gateway needs for this source (``ERP_GATEWAY_*``)."""

    async def prepare(self, bench: Bench, changes: int) -> None: ...

    async def change(self, bench: Bench, index: int) -> None: ...


PLACE = """mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id } errors { message } } }"""
FULFIL = "mutation($id: ID!) { fulfillOrder(orderId: $id) { errors { message } } }"
INVOICE = "mutation($id: ID!) { invoiceOrder(orderId: $id) { errors { message } } }"
FOLLOW = """subscription($id: ID!) {
  orderStatusChanged(orderId: $id) { eventId occurredAt status } }"""
INVOICES = "subscription { invoiceIssued { eventId occurredAt } }"
STOCK = """{ inventory(first: 100, connection: "EU01") {
  nodes { sku location quantity { value unit } } } }"""


class OrderMutations:
    """Place, ship and invoice orders through GraphQL, following each order's status."""

    name = "orders"
    # Shipped, invoiced, invoice issued; "ordered" too when it is published after the
    # per-order subscription began.
    expected_graphql = 3
    expected_rabbitmq = 5  # placed, ordered, shipped, invoiced, invoice issued

    def __init__(self) -> None:
        # Change capture off: its polled copies of the same changes would be timed from the
        # ERP's change time, which is the polled source's measurement, not this one's.
        capture_off = [{"name": "EU01", "change_capture": {"enabled": False}}]
        self.gateway_env = {"ERP_GATEWAY_CONNECTIONS": json.dumps(capture_off)}
        self._run = uuid.uuid4().hex[:8]
        self._sku = ""
        self._location = ""
        self._quantity = Decimal(1)

    async def prepare(self, bench: Bench, changes: int) -> None:
        levels = (await bench.gql(STOCK))["inventory"]["nodes"]
        best = max(levels, key=lambda level: Decimal(level["quantity"]["value"]))
        self._sku, self._location = best["sku"], best["location"]
        available = Decimal(best["quantity"]["value"])
        if available < changes * 2:
            self._quantity = max(
                Decimal("0.001"), (available / (changes * 2)).quantize(Decimal("0.001"))
            )
        await bench.socket.subscribe(INVOICES)

    async def change(self, bench: Bench, index: int) -> None:
        line = {"sku": self._sku, "quantity": str(self._quantity), "location": self._location}
        placed = await bench.gql(
            PLACE,
            input={
                "idempotencyKey": f"bench-{self._run}-{index}",
                "customerId": "EU01:10100001",
                "lines": [line],
            },
        )
        if placed["placeOrder"]["errors"]:
            raise RuntimeError(placed["placeOrder"]["errors"])
        order_id = placed["placeOrder"]["order"]["id"]
        follow = await bench.socket.subscribe(FOLLOW, id=order_id)
        await asyncio.sleep(0.05)  # let the gateway register the subscriber
        for mutation in (FULFIL, INVOICE):
            result = await bench.gql(mutation, id=order_id)
            errors = next(iter(result.values()))["errors"]
            if errors:
                raise RuntimeError(errors)
        # Its last status may still be on the way: missing it shows as a count below expected.
        await bench.socket.until(follow, lambda item: item.get("status") == "INVOICED", 5.0)
        await bench.socket.complete(follow)


SOURCES: dict[str, Callable[[], ChangeSource]] = {"orders": OrderMutations}


@contextlib.asynccontextmanager
async def rabbit_consumer(exchange: str, arrivals: Arrivals) -> AsyncIterator[None]:
    connection = await aio_pika.connect(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        await _until_declared(connection, exchange)
        queue = await channel.declare_queue("", exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            body = json.loads(message.body)
            arrivals.record("rabbitmq", body["id"], body["occurred_at"])

        await queue.consume(on_message, no_ack=True)
        yield
        await channel.exchange_delete(exchange)


async def _until_declared(connection: aio_pika.abc.AbstractConnection, exchange: str) -> None:
    async with asyncio.timeout(30):
        while True:
            channel = await connection.channel()
            try:
                await channel.get_exchange(exchange, ensure=True)
                return
            except aio_pika.exceptions.ChannelNotFoundEntity:
                await asyncio.sleep(0.1)


async def run(args: argparse.Namespace) -> Arrivals:
    source = SOURCES[args.source]()
    arrivals = Arrivals()
    exchange = f"erp-gateway.bench.{uuid.uuid4().hex[:8]}"
    env = dict(source.gateway_env)
    if args.rabbitmq:
        env |= {
            "ERP_GATEWAY_EVENTS__BROKER": "rabbitmq",
            "ERP_GATEWAY_EVENTS__RABBITMQ_URL": RABBITMQ,
            "ERP_GATEWAY_EVENTS__EXCHANGE": exchange,
        }
    with tempfile.TemporaryDirectory() as tmp, gateway_process(Path(tmp), env, args.log) as gateway:
        address = gateway.address
        async with contextlib.AsyncExitStack() as stack:
            if args.rabbitmq:
                await stack.enter_async_context(rabbit_consumer(exchange, arrivals))
            http = await stack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://{address}", timeout=60)
            )
            ws = await stack.enter_async_context(
                connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
            )
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            json.loads(await ws.recv())  # connection_ack
            socket_ = GraphQLSocket(ws, arrivals)
            listener = asyncio.create_task(socket_.listen())
            bench = Bench(http, socket_)
            await source.prepare(bench, args.orders)
            await asyncio.sleep(0.3)
            started = time.monotonic()
            await _in_parallel(args.orders, args.concurrency, lambda i: source.change(bench, i))
            elapsed = time.monotonic() - started
            await asyncio.sleep(1.0)  # stragglers
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    _report(arrivals, source, args, elapsed, socket_.errors)
    return arrivals


async def _in_parallel(count: int, width: int, work: Callable[[int], Awaitable[None]]) -> None:
    indexes = iter(range(count))

    async def worker() -> None:
        for index in indexes:
            await work(index)

    await asyncio.gather(*(worker() for _ in range(width)))


def _report(
    arrivals: Arrivals,
    source: ChangeSource,
    args: argparse.Namespace,
    elapsed: float,
    errors: list[Any],
) -> None:
    broker = "RabbitMQ" if args.rabbitmq else "in-process bus"
    print(f"source={source.name} changes={args.orders} concurrency={args.concurrency} "
          f"broker={broker} elapsed={elapsed:.1f}s")  # fmt: skip
    expected = {"graphql": source.expected_graphql, "rabbitmq": source.expected_rabbitmq}
    outlets = ["graphql", "rabbitmq"] if args.rabbitmq else ["graphql"]
    for outlet in outlets:
        values = sorted(arrivals.latencies.get(outlet, []))
        want = expected[outlet] * args.orders
        if not values:
            print(f"{outlet:9} no events received (expected {want})")
            continue
        p50 = statistics.median(values)
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{outlet:9} events={len(values)} (expected >= {want}) p50={p50 * 1000:.1f}ms "
              f"p99={p99 * 1000:.1f}ms max={values[-1] * 1000:.1f}ms")  # fmt: skip
    if errors:
        print(f"subscription errors: {errors[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=sorted(SOURCES), default="orders")
    parser.add_argument("--orders", type=int, default=350, help="changes to make")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rabbitmq", action="store_true", help="gateway on RabbitMQ")
    parser.add_argument("--log", type=Path, help="keep the gateway's log in this file")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
