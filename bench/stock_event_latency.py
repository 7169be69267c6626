"""Stock change latency, pushed and polled: from an ERP-side change to a GraphQL subscriber
and to a RabbitMQ consumer.

* ``push``: a warehouse system posts signed ``wms.goods_received`` webhooks to the gateway;
  the gateway books each receipt in SAP and publishes ``inventory.changed``. SAP is a
  sandbox in a process of its own, as a real SAP is another system (``--embedded``: the
  gateway's embedded sandbox instead, sharing the gateway's process).
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
locations, one unit each, the adjustment the gateway posts) booked straight into a fresh SAP
sandbox of their own process at full speed, one lane per location (``--direct-changes``;
0 skips it), and prints the rate as a fraction of it. It also prints the gateway process's CPU
time per change (user plus system, from the first change until every outlet saw the last)
and, in ``push``, the bench process's CPU time per movement of the reference, which posts
the same SAP requests with nothing around them, and the ratio of the two.

``--find-rate`` looks for the highest rate the gateway sustains: trials of
``--trial-seconds`` each, a rate sustained when every change reaches every outlet, 90% of
them within ``--slo`` seconds; starting at the direct rate, stepping down by a fifth until a
rate holds (up by a quarter while it does). It then runs ``--changes`` changes at half that
rate and prints their latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import cpu_seconds
from event_latency import RABBITMQ, gateway_process
from support.events import (
    SAP_PASSWORD,
    SAP_USER,
    Changes,
    listen_graphql,
    locations,
    rabbit,
    sap_sandbox,
    settle,
)
from support.stock_rate import SECRET, direct_rate, find_rate, outlets, polled, push, report


def gateway_env(args: argparse.Namespace, sap_url: str | None, exchange: str) -> dict[str, str]:
    """The gateway's settings: its SAP connection, the WMS source, the broker."""
    env: dict[str, str] = {}
    if args.rabbitmq:
        env["ERP_GATEWAY_EVENTS__BROKER"] = "rabbitmq"
        env["ERP_GATEWAY_EVENTS__RABBITMQ_URL"] = RABBITMQ
        env["ERP_GATEWAY_EVENTS__EXCHANGE"] = exchange
    capture: dict[str, Any] = {"enabled": False}
    if args.mode == "polled":
        capture = {"enabled": True, "interval_seconds": args.interval, "streams": ["inventory"]}
    else:
        env["ERP_GATEWAY_INBOUND"] = json.dumps(
            {
                "sources": [{"name": "wms", "kind": "wms", "secret": SECRET, "connection": "EU01"}],
                **({"concurrency": args.workers} if args.workers else {}),
            }
        )
    connection: dict[str, Any] = {"name": "EU01", "change_capture": capture}
    if sap_url is not None:
        connection |= {"kind": "sap", "base_url": sap_url, "username": SAP_USER,
                       "password": SAP_PASSWORD}  # fmt: skip
    env["ERP_GATEWAY_CONNECTIONS"] = json.dumps([connection])
    return env


async def run(args: argparse.Namespace) -> Changes:
    exchange = f"erp-gateway.bench.{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        sap_url = None
        if args.mode == "polled" or not args.embedded:
            sap_url = stack.enter_context(sap_sandbox(Path(tmp) / "erp"))
        env = gateway_env(args, sap_url, exchange)
        gateway = stack.enter_context(gateway_process(Path(tmp), env, args.log))
        address = gateway.address
        async with contextlib.AsyncExitStack() as astack:
            http = await astack.enter_async_context(
                httpx.AsyncClient(base_url=f"http://{address}", timeout=60)
            )
            changes = Changes(base=await locations(http, args.concurrency))
            direct = None
            if args.mode == "push" and args.direct_changes:
                places = list(changes.base)
                direct = await direct_rate(Path(tmp) / "direct", places, args.direct_changes)
                print(f"direct    {args.direct_changes} movements booked straight into a SAP "
                      f"sandbox, {len(places)} lanes: {direct.rate:.1f}/s, "
                      f"{direct.cpu_ms:.2f} CPU ms per movement")  # fmt: skip
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
                await find_rate(http, changes, args, direct.rate)
            else:
                started, cpu = time.monotonic(), cpu_seconds(gateway.pid)
                if args.mode == "push":
                    await push(http, changes, args.rate, args.changes)
                else:
                    assert sap_url is not None
                    await polled(sap_url, changes, args)
                elapsed = time.monotonic() - started
                await settle(changes, outlets(args), args.changes, 30 + args.interval * 3)
                cpu_ms = (cpu_seconds(gateway.pid) - cpu) * 1000 / args.changes
                report(changes, args, args.rate, args.changes, elapsed)
                print(f"gateway   {cpu_ms:.2f} CPU ms per change (its process, from the first "
                      "change until every outlet saw the last)")  # fmt: skip
                if direct is not None:
                    rate = args.rate or args.changes / elapsed
                    print(f"rate {rate:.1f}/s = {rate / direct.rate:.2f} of direct "
                          f"({direct.rate:.1f}/s); CPU per change {cpu_ms / direct.cpu_ms:.2f}"
                          f"x direct ({direct.cpu_ms:.2f} ms)")  # fmt: skip
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    return changes


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
        "--embedded", action="store_true", help="push: SAP embedded in the gateway's process"
    )
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
