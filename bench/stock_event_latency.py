"""Stock change latency, pushed and polled: from an ERP-side change to a GraphQL subscriber
and to a RabbitMQ consumer.

* ``push``: a warehouse system posts signed ``wms.goods_received`` webhooks to the gateway
  (embedded SAP sandbox); the gateway books each receipt in SAP and publishes
  ``inventory.changed``.
* ``polled``: another SAP client books goods receipts straight into the SAP sandbox (its own
  process); the gateway learns of them only by change capture (``--interval`` seconds).

Each change adds one unit at one of ``--concurrency`` stock locations, so the n-th change of
a location is known when an event reports the level base+n. A change's latency runs from
the moment its request was sent (the webhook, or the booking in SAP) to the first event,
per outlet, that reports it; a polled
event reporting several changes at once counts for each of them. Prints count, p50, p99
and max per outlet.

    .venv/bin/python bench/stock_event_latency.py push   [--changes 1000] [--rate 20] [--rabbitmq]
    .venv/bin/python bench/stock_event_latency.py push   --find-rate [--rabbitmq]
    .venv/bin/python bench/stock_event_latency.py polled [--changes 1000] [--rate 20] [--rabbitmq]

Changes come at ``--rate`` per second (an open loop); ``--rate 0`` sends them as fast as the
gateway takes them, which measures the backlog more than the path.

``push`` first measures a reference in the same run: the same stock movements (the same
locations, one unit each, the adjustment the gateway posts) booked straight into a SAP
sandbox of their own process at full speed, one lane per location (``--direct-changes``;
0 skips it), and prints the rate as a fraction of it. ``--find-rate`` looks for the highest
rate the gateway sustains: trials of ``--trial-seconds`` each, a rate sustained when every
change reaches every outlet, 90% of them within ``--slo`` seconds; starting at the direct rate,
stepping down by a fifth until a rate holds (up by a quarter while it does). It then runs
``--changes`` changes at half that rate and prints their latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from standardwebhooks import Webhook
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from event_latency import RABBITMQ, free_port, gateway_process

from system_apis.contracts.commands import StockAdjustment
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

SECRET = "whsec_" + "YmVuY2gtc2VjcmV0LWZvci10aGUtd21zLXNvdXJjZQ=="
STOCK = """{ inventory(first: 100, connection: "EU01") {
  nodes { sku location quantity { value } } } }"""
WATCH = "subscription { inventoryChanged { sku location quantity { value } } }"
SAP_USER, SAP_PASSWORD = "GATEWAY", "sandbox"


@dataclass
class Changes:
    """Changes made per location, and when each was known to every outlet."""

    base: dict[tuple[str, str], Decimal]
    made: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    seen_upto: dict[tuple[str, tuple[str, str]], int] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def restart(self, base: dict[tuple[str, str], Decimal]) -> None:
        """Count anew from these levels (the next trial)."""
        self.base = base
        self.made.clear()
        self.seen_upto.clear()
        self.latencies.clear()

    def seen(self, outlet: str) -> int:
        return len(self.latencies.get(outlet, []))

    def mark(self, where: tuple[str, str], started: float) -> None:
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


async def locations(http: httpx.AsyncClient, count: int) -> dict[tuple[str, str], Decimal]:
    response = await http.post("/graphql", json={"query": STOCK})
    nodes = response.json()["data"]["inventory"]["nodes"]
    chosen = [n for n in nodes if "/" in n["location"]][:count]
    return {(n["sku"], n["location"]): Decimal(n["quantity"]["value"]) for n in chosen}


async def listen_graphql(address: str, changes: Changes, ready: asyncio.Event) -> None:
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
    port = free_port()
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


async def push(http: httpx.AsyncClient, changes: Changes, rate: float, total: int) -> None:
    signer = Webhook(SECRET)
    places = list(changes.base)

    async def send(index: int) -> None:
        sku, location = places[index % len(places)]
        data = {"sku": sku, "location": location, "quantity": "1"}
        body = json.dumps({"type": "wms.goods_received", "data": data})
        msg_id = f"msg_{uuid.uuid4().hex}"
        now = dt.datetime.now(dt.UTC)
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signer.sign(msg_id, now, body),
            "content-type": "application/json",
        }
        started = time.monotonic()
        response = await http.post("/webhooks/inbound/wms", content=body, headers=headers)
        if response.status_code != 202:
            raise RuntimeError(f"{response.status_code}: {response.text}")
        changes.mark((sku, location), started)

    await by_location(len(places), total, send, rate)


async def direct_rate(data_dir: Path, places: list[tuple[str, str]], total: int) -> float:
    """Movements per second booked straight into a SAP sandbox of its own, one lane per
    location, as fast as it takes them: the adjustment the gateway posts for a receipt."""
    with sap_sandbox(data_dir) as url:
        adapter = SapAdapter("EU01", SapODataClient(url, username=SAP_USER, password=SAP_PASSWORD))
        run = uuid.uuid4().hex[:6]

        async def book(index: int) -> None:
            sku, location = places[index % len(places)]
            await adapter.adjust_stock(
                StockAdjustment(
                    sku=sku, location=location, quantity=Decimal(1), reference=f"D{run}{index}"
                )
            )

        try:
            warm = len(places)  # one movement per lane first: connections, caches
            await by_location(warm, warm, book, None)
            started = time.monotonic()
            await by_location(len(places), total, lambda i: book(warm + i), None)
            return total / (time.monotonic() - started)
        finally:
            await adapter.aclose()


async def polled(sap_url: str, changes: Changes, args: argparse.Namespace) -> None:
    client = SapODataClient(sap_url, username=SAP_USER, password=SAP_PASSWORD)
    adapter = SapAdapter("EU01", client)
    places = list(changes.base)
    run = uuid.uuid4().hex[:6]

    async def book(index: int) -> None:
        sku, location = places[index % len(places)]
        started = time.monotonic()
        await adapter.adjust_stock(
            StockAdjustment(
                sku=sku, location=location, quantity=Decimal(1), reference=f"B{run}{index}"
            )
        )
        changes.mark((sku, location), started)

    try:
        await by_location(len(places), args.changes, book, args.rate)
    finally:
        await adapter.aclose()


async def by_location(width: int, total: int, work: Any, rate: float | None) -> None:
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


async def run(args: argparse.Namespace) -> Changes:
    exchange = f"erp-gateway.bench.{uuid.uuid4().hex[:8]}"
    env: dict[str, str] = {}
    if args.rabbitmq:
        env["ERP_GATEWAY_EVENTS__BROKER"] = "rabbitmq"
        env["ERP_GATEWAY_EVENTS__RABBITMQ_URL"] = RABBITMQ
        env["ERP_GATEWAY_EVENTS__EXCHANGE"] = exchange
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        if args.mode == "push":
            connection: dict[str, Any] = {"name": "EU01", "change_capture": {"enabled": False}}
            env["ERP_GATEWAY_INBOUND"] = json.dumps(
                {
                    "sources": [
                        {"name": "wms", "kind": "wms", "secret": SECRET, "connection": "EU01"}
                    ],
                    **({"concurrency": args.workers} if args.workers else {}),
                }
            )
        else:
            sap_url = stack.enter_context(sap_sandbox(Path(tmp)))
            connection = {
                "name": "EU01", "kind": "sap", "base_url": sap_url,
                "username": SAP_USER, "password": SAP_PASSWORD,
                "change_capture": {"enabled": True, "interval_seconds": args.interval,
                                   "streams": ["inventory"]},
            }  # fmt: skip
        env["ERP_GATEWAY_CONNECTIONS"] = json.dumps([connection])
        address = stack.enter_context(gateway_process(Path(tmp), env, args.log))
        async with contextlib.AsyncExitStack() as astack:
            http = await astack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://{address}", timeout=60)
            )
            changes = Changes(base=await locations(http, args.concurrency))
            direct = None
            if args.mode == "push" and args.direct_changes:
                places = list(changes.base)
                direct = await direct_rate(Path(tmp), places, args.direct_changes)
                print(f"direct    {args.direct_changes} movements booked straight into a SAP "
                      f"sandbox, {len(places)} lanes: {direct:.1f}/s")  # fmt: skip
            if args.rabbitmq:
                await astack.enter_async_context(rabbit(exchange, changes))
            ready = asyncio.Event()
            listener = asyncio.create_task(listen_graphql(address, changes, ready))
            await ready.wait()
            await asyncio.sleep(0.5)
            if args.find_rate:
                if direct is None:
                    raise SystemExit(
                        "--find-rate starts from the direct rate: --direct-changes > 0"
                    )
                await find_rate(http, changes, args, direct)
            else:
                started = time.monotonic()
                if args.mode == "push":
                    await push(http, changes, args.rate, args.changes)
                else:
                    await polled(sap_url, changes, args)
                elapsed = time.monotonic() - started
                await settle(changes, outlets(args), args.changes, 30 + args.interval * 3)
                report(changes, args, args.rate, args.changes, elapsed)
                if direct is not None:
                    rate = args.rate or args.changes / elapsed
                    print(f"rate {rate:.1f}/s = {rate / direct:.2f} of direct ({direct:.1f}/s)")
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    return changes


def outlets(args: argparse.Namespace) -> list[str]:
    return ["graphql", "rabbitmq"] if args.rabbitmq else ["graphql"]


async def find_rate(
    http: httpx.AsyncClient, changes: Changes, args: argparse.Namespace, direct: float
) -> None:
    """Step from the direct rate: down by a fifth until a rate holds, or up by a quarter
    while it does; then ``--changes`` at half the highest rate that held."""
    rate, best, failed = direct, 0.0, False
    for _ in range(args.trials):
        count = max(50, round(rate * args.trial_seconds))
        held = await trial(http, changes, args, rate, count)
        if held:
            best = rate
            if failed:
                break
            rate *= 1.25
        else:
            failed = True
            if best:
                break
            rate *= 0.8
    if not best:
        print(f"no rate held within {args.trials} trials")
        return
    print(f"sustained {best:.1f}/s = {best / direct:.2f} of direct ({direct:.1f}/s)")
    await trial(http, changes, args, best / 2, args.changes, full=True)


async def trial(
    http: httpx.AsyncClient,
    changes: Changes,
    args: argparse.Namespace,
    rate: float,
    count: int,
    full: bool = False,
) -> bool:
    """``count`` changes at ``rate``: whether every outlet saw each, 90% within the slo (a
    gateway that falls behind sees its latency grow through the trial; one that keeps up
    does not, whatever a few stalls of a busy machine add to its tail)."""
    names = outlets(args)
    # What the previous trial left in flight is seen before the levels are read again.
    await settle(changes, names, sum(len(m) for m in changes.made.values()), 180)
    changes.restart(await locations(http, args.concurrency))
    started = time.monotonic()
    await push(http, changes, rate, count)
    elapsed = time.monotonic() - started
    await settle(changes, names, count, 30)
    if full:
        report(changes, args, rate, count, elapsed)
    held = True
    figures = []
    for outlet in names:
        values = sorted(changes.latencies.get(outlet, [])) or [float("inf")]
        p90, p99 = (values[min(len(values) - 1, int(len(values) * q))] for q in (0.9, 0.99))
        held = held and len(values) >= count and p90 <= args.slo
        figures.append(
            f"{outlet} seen={len(values)}/{count} p90={p90 * 1000:.0f}ms p99={p99 * 1000:.0f}ms"
        )
    if not full:
        print(f"trial     rate={rate:.1f}/s {' '.join(figures)}: "
              f"{'holds' if held else 'falls behind'}")  # fmt: skip
    return held


async def settle(changes: Changes, names: list[str], count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(changes.seen(o) >= count for o in names):
            return
        await asyncio.sleep(0.2)


def report(
    changes: Changes, args: argparse.Namespace, rate: float, count: int, elapsed: float
) -> None:
    broker = "RabbitMQ" if args.rabbitmq else "in-process bus"
    extra = f" interval={args.interval}s" if args.mode == "polled" else ""
    extra += f" rate={f'{rate:.1f}' if rate else 'max'}/s"
    print(f"mode={args.mode}{extra} changes={count} locations={len(changes.base)} "
          f"broker={broker} made in {elapsed:.1f}s ({count / elapsed:.0f}/s)")  # fmt: skip
    for outlet in outlets(args):
        values = sorted(changes.latencies.get(outlet, []))
        if not values:
            print(f"{outlet:9} nothing received")
            continue
        p50 = statistics.median(values)
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"{outlet:9} changes seen={len(values)}/{count} p50={p50 * 1000:.1f}ms "
              f"p99={p99 * 1000:.1f}ms max={values[-1] * 1000:.1f}ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["push", "polled"])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8, help="stock locations changed")
    parser.add_argument("--interval", type=float, default=1.0, help="polled: capture interval")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="changes per second (0: as fast as possible)"
    )
    parser.add_argument("--rabbitmq", action="store_true", help="gateway on RabbitMQ")
    parser.add_argument("--workers", type=int, help="push: inbound events handled at once")
    parser.add_argument(
        "--direct-changes", type=int, default=200, help="push: movements of the reference"
    )
    parser.add_argument("--find-rate", action="store_true", help="push: the sustained rate")
    parser.add_argument("--trial-seconds", type=float, default=15.0)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--slo", type=float, default=1.0, help="p90 seconds a rate holds to")
    parser.add_argument("--log", type=Path, help="keep the gateway's log in this file")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
