"""Gateway CPU per query: the reference GraphQL query against its upstream requests replayed raw.

The reference query reads 50 sales orders with their lines, each line's product name and
each order's customer name; the gateway answers it with a few OData requests to SAP (the
orders with their items, then the customers and the products, batched, and whatever else
the order's state needs). In the same run:

1. a SAP sandbox (its own process, access log on) is seeded with 20 orders beside the demo
   seed's 30, and a gateway (``erp-gateway serve``, its own process) is connected to it;
2. the query is sent once and the sandbox's access log tells which requests it made;
3. rounds alternate: ``--queries`` reference queries to the gateway one after the other,
   the gateway process's CPU time read from ``/proc/<pid>/stat`` before and after; then the
   same requests replayed raw with httpx (the first, the orders, then all others together,
   every answer decoded with orjson, as the gateway decodes them), the bench process's own
   CPU time around them.

Printed: CPU ms per query and p50 latency of each, their ratios, and the gateway's first
(cold) query and idle CPU (CPU burnt per second with no request).

    .venv/bin/python bench/query_cpu.py [--queries 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from _harness import (
    PAGE,
    REFERENCE_QUERY,
    check_reference,
    cpu_seconds,
    sap_and_gateway,
    seed_orders,
)

from experience_api.security.dev_keys import load_or_create_dev_key

ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.1" (\d+)')


async def ask(client: httpx.AsyncClient) -> float:
    """One reference query; its latency in seconds."""
    started = time.perf_counter()
    response = await client.post(
        "/graphql", json={"query": REFERENCE_QUERY, "variables": {"first": PAGE}}
    )
    elapsed = time.perf_counter() - started
    check_reference(response.json())
    return elapsed


async def replay(client: httpx.AsyncClient, first: str, rest: list[str]) -> float:
    """The upstream requests of one query, raw: the orders, then the rest together."""

    async def get(url: str) -> object:
        response = await client.get(url)
        response.raise_for_status()
        return orjson.loads(response.content)

    started = time.perf_counter()
    await get(first)
    await asyncio.gather(*(get(url) for url in rest))
    return time.perf_counter() - started


async def logged_requests(log: Path, since: int) -> list[str]:
    """The requests the sandbox logged after ``since``, once its access log stops growing
    (it is written after each answer, by another process: on a loaded machine, late)."""
    seen: list[str] = []
    stable_since = time.monotonic()
    while time.monotonic() - stable_since < 1.0:
        logged = ACCESS.findall((await asyncio.to_thread(log.read_bytes))[since:].decode())
        now = [url for _, url, _ in logged]
        if any(method != "GET" or status != "200" for method, _, status in logged):
            raise RuntimeError(f"the replay covers successful GETs only: {logged}")
        if now != seen:
            seen, stable_since = now, time.monotonic()
        await asyncio.sleep(0.05)
    return seen


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sandbox_dir = work / "sap"
    seed_orders(sandbox_dir)
    # Every query does its upstream work: the response cache would answer it instead.
    # Reads one by one (no $batch): the replay sends the requests the access log shows.
    uncached = "batch = false\n[connections.cache]\nenabled = false\n"
    with sap_and_gateway(work, sandbox_dir, "bench", uncached) as served:
        pid, sap, sap_log = served.gateway_pid, served.sap, served.sap_log
        token = load_or_create_dev_key(served.gateway_dir).issue(
            audience="erp-gateway", subject="bench", roles=("sales",), companies=("*",)
        )
        gateway = httpx.AsyncClient(
            base_url=served.gateway,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        raw = httpx.AsyncClient(base_url=sap, auth=("GATEWAY", "sandbox"), timeout=60)
        async with gateway, raw:
            # Idle: what the gateway burns with nothing to do.
            idle_from, idle_started = cpu_seconds(pid), time.monotonic()
            await asyncio.sleep(args.idle)
            idle = (cpu_seconds(pid) - idle_from) / (time.monotonic() - idle_started)

            since = sap_log.stat().st_size
            cpu_before = cpu_seconds(pid)
            cold = await ask(gateway)
            cold_cpu = cpu_seconds(pid) - cpu_before
            requests = await logged_requests(sap_log, since)
            if not requests:
                raise RuntimeError("the query made no upstream request")
            first, rest = requests[0], requests[1:]
            raw_cold = await replay(raw, first, rest)

            for _ in range(args.queries // 5):  # warm-up
                await ask(gateway)
                await replay(raw, first, rest)
            gateway_cpu = raw_cpu = 0.0
            gateway_times: list[float] = []
            raw_times: list[float] = []
            for _ in range(args.rounds):
                started = cpu_seconds(pid)
                gateway_times += [await ask(gateway) for _ in range(args.queries)]
                gateway_cpu += cpu_seconds(pid) - started
                started = time.process_time()
                raw_times += [await replay(raw, first, rest) for _ in range(args.queries)]
                raw_cpu += time.process_time() - started
    count = args.queries * args.rounds
    return {
        "gateway_cpu": gateway_cpu / count * 1000,
        "raw_cpu": raw_cpu / count * 1000,
        "gateway_p50": statistics.median(gateway_times) * 1000,
        "raw_p50": statistics.median(raw_times) * 1000,
        "cold": cold * 1000,
        "cold_cpu": cold_cpu * 1000,
        "raw_cold": raw_cold * 1000,
        "idle": idle * 100,
        "requests": requests,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100, help="queries per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="query-cpu-bench-") as work:
        r = asyncio.run(run(args, Path(work)))
    print(f"{len(r['requests'])} upstream requests per query:")
    for url in r["requests"]:
        print(f"  GET {url[:110]}{'...' if len(url) > 110 else ''}")
    print(f"{'':<26} {'gateway':>9} {'raw httpx':>10} {'ratio':>6}")
    print(
        f"{'CPU ms per query':<26} {r['gateway_cpu']:>9.1f} {r['raw_cpu']:>10.1f} "
        f"{r['gateway_cpu'] / r['raw_cpu']:>6.1f}"
    )
    print(
        f"{'p50 latency ms':<26} {r['gateway_p50']:>9.1f} {r['raw_p50']:>10.1f} "
        f"{r['gateway_p50'] / r['raw_p50']:>6.1f}"
    )
    print(
        f"{'cold (first) latency ms':<26} {r['cold']:>9.1f} {r['raw_cold']:>10.1f} "
        f"{r['cold'] / r['raw_cold']:>6.1f}"
    )
    print(f"gateway CPU of the first query: {r['cold_cpu']:.0f} ms")
    print(f"gateway idle CPU: {r['idle']:.2f}% of a core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
