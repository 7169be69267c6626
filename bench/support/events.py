"""Pieces the stock event benches share: the SAP sandbox process, the outlets a change is
watched on (a GraphQL subscriber, a RabbitMQ queue) and the bookkeeping of when each change
was made and first seen.

Each change adds one unit at one stock location, so the n-th change of a location is known
when an event reports the level base+n.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import aio_pika
import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from event_latency import RABBITMQ, free_port

SAP_USER, SAP_PASSWORD = "GATEWAY", "sandbox"
STOCK = """{ inventory(first: 100, connection: "EU01") {
  nodes { sku location quantity { value } } } }"""
WATCH = "subscription { inventoryChanged { sku location quantity { value } } }"

Place = tuple[str, str]


@dataclass
class Changes:
    """Changes made per location, and when each was known to every outlet."""

    base: dict[Place, Decimal]
    made: dict[Place, list[float]] = field(default_factory=dict)
    seen_upto: dict[tuple[str, Place], int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def restart(self, base: dict[Place, Decimal]) -> None:
        """Count anew from these levels (the next trial)."""
        self.base = base
        self.made.clear()
        self.seen_upto.clear()
        self.latencies.clear()

    def seen(self, outlet: str) -> int:
        return len(self.latencies.get(outlet, []))

    def mark(self, where: Place, started: float) -> None:
        self.made.setdefault(where, []).append(started)

    def observe(self, outlet: str, sku: str, location: str, quantity: str) -> None:
        now = time.monotonic()
        where = (sku, location)
        if where not in self.base:
            return
        reached = int(Decimal(quantity) - self.base[where])
        made = self.made.get(where, [])
        first = self.seen_upto.get((outlet, where), 0)
        last = min(reached, len(made))
        for n in range(first, last):
            self.latencies.setdefault(outlet, []).append(now - made[n])
        self.seen_upto[(outlet, where)] = max(first, last)


async def locations(http: httpx.AsyncClient, count: int) -> dict[Place, Decimal]:
    """``count`` storage locations with stock, and their levels, read through the gateway."""
    response = await http.post("/graphql", json={"query": STOCK})
    nodes = response.json()["data"]["inventory"]["nodes"]
    chosen = [n for n in nodes if "/" in n["location"]][:count]
    return {(n["sku"], n["location"]): Decimal(n["quantity"]["value"]) for n in chosen}


async def listen_graphql(address: str, changes: Changes, ready: asyncio.Event) -> None:
    """Subscribe to ``inventoryChanged`` and observe every level it reports."""
    async with connect(f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        json.loads(await ws.recv())
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WATCH}}))
        ready.set()
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next":
                item = message["payload"]["data"]["inventoryChanged"]
                changes.observe("graphql", item["sku"], item["location"], item["quantity"]["value"])


@contextlib.asynccontextmanager
async def rabbit(exchange: str, changes: Changes) -> AsyncIterator[None]:
    """A queue of its own bound to ``inventory.changed`` on the gateway's exchange."""
    connection = await aio_pika.connect(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        async with asyncio.timeout(30):
            while True:
                probe = await connection.channel()
                try:
                    await probe.get_exchange(exchange, ensure=True)
                    break
                except aio_pika.exceptions.ChannelNotFoundEntity:
                    await asyncio.sleep(0.1)
        queue = await channel.declare_queue("", exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="inventory.changed")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            data = json.loads(message.body)["data"]
            changes.observe("rabbitmq", data["sku"], data["location"], data["quantity"])

        await queue.consume(on_message, no_ack=True)
        yield
        await channel.exchange_delete(exchange)


@contextlib.contextmanager
def sap_sandbox(data_dir: Path) -> Iterator[str]:
    """A SAP sandbox in a process of its own, seeded in ``data_dir``; yields its URL."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "sap.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "experience_api.cli", "sandbox", "sap", "--port", str(port),
         "--data-dir", str(data_dir / "sap")],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{url}/sandbox/stats", auth=(SAP_USER, SAP_PASSWORD), timeout=1)
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("SAP sandbox did not start")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


async def by_location(
    width: int, total: int, work: Callable[[int], Awaitable[None]], rate: float | None
) -> None:
    """Changes ``0..total-1``, change i on lane ``i % width``, at ``rate`` per second or at
    full speed (None or 0)."""
    # One worker per location: a location's changes are made one after the other, so the
    # n-th request to return is the n-th unit booked there. With a rate, change i is due at
    # i / rate seconds (an open loop: a slow gateway does not slow the changes down).
    start = time.monotonic()

    async def worker(lane: int) -> None:
        for index in range(lane, total, width):
            if rate:
                await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
            await work(index)

    await asyncio.gather(*(worker(lane) for lane in range(width)))


async def settle(changes: Changes, names: list[str], count: int, seconds: float) -> None:
    """Until every outlet saw ``count`` changes, or ``seconds`` passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(changes.seen(o) >= count for o in names):
            return
        await asyncio.sleep(0.2)
