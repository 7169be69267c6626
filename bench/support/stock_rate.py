"""Making stock changes for the stock event bench: pushed to the gateway as signed WMS
webhooks, booked straight into SAP (the direct reference, and the polled mode's source), and
the search for the highest rate the gateway sustains."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
from standardwebhooks import Webhook
from support.events import (
    SAP_PASSWORD,
    SAP_USER,
    Changes,
    Place,
    by_location,
    locations,
    sap_sandbox,
    settle,
)

from system_apis.contracts.commands import StockAdjustment
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

SECRET = "whsec_" + "YmVuY2gtc2VjcmV0LWZvci10aGUtd21zLXNvdXJjZQ=="


async def push(http: httpx.AsyncClient, changes: Changes, rate: float, total: int) -> None:
    """``total`` goods receipts of one unit, one location after the other, as WMS webhooks."""
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


@dataclass(frozen=True)
class Direct:
    """The direct reference: movements per second, and this process's CPU per movement."""

    rate: float
    cpu_ms: float


async def direct_rate(data_dir: Path, places: list[Place], total: int) -> Direct:
    """Movements booked straight into a SAP sandbox of its own, one lane per location, as
    fast as it takes them: the adjustment the gateway posts for a receipt. The CPU is this
    (the bench's) process's, which does nothing else meanwhile."""
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
            started, cpu = time.monotonic(), time.process_time()
            await by_location(len(places), total, lambda i: book(warm + i), None)
            cpu = time.process_time() - cpu
            return Direct(total / (time.monotonic() - started), cpu * 1000 / total)
        finally:
            await adapter.aclose()


async def polled(sap_url: str, changes: Changes, args: argparse.Namespace) -> None:
    """``--changes`` movements booked straight into SAP at ``--rate``, each marked."""
    adapter = SapAdapter("EU01", SapODataClient(sap_url, username=SAP_USER, password=SAP_PASSWORD))
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
