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
   every answer decoded), the bench process's own CPU time around them.

Printed: CPU ms per query and p50 latency of each, their ratios, and the gateway's first
(cold) query and idle CPU (CPU burnt per second with no request).

    .venv/bin/python bench/query_cpu.py [--queries 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from erp_sandbox.sap.orders import create_sales_order
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.settings import SandboxSettings
from experience_api.security.dev_keys import load_or_create_dev_key

QUERY = """query Reference($first: Int!) {
  salesOrders(first: $first) {
    nodes {
      number
      customer { name }
      lines { sku quantity { value unit } product { name } }
    }
  }
}"""
PAGE = 50
EXTRA_ORDERS = 20
ACCESS = re.compile(r'"GET (\S+) HTTP/1\.1" 200')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def seed(data_dir: Path) -> None:
    """The demo seed plus 20 orders of one to four lines from twenty customers."""
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir))
    now = datetime.now(UTC)
    with sandbox.store.write() as tx:
        for index in range(EXTRA_ORDERS):
            lines = [
                {"Material": f"TG{11 + (index * 3 + n) % 25}", "RequestedQuantity": str(n + 1)}
                for n in range(1 + index % 4)
            ]
            document = {
                "SoldToParty": str(10100001 + index),
                "PurchaseOrderByCustomer": f"BENCH-{index}",
                "to_Item": lines,
            }
            create_sales_order(tx, document, now - timedelta(hours=index))
    sandbox.store.close()


@contextlib.contextmanager
def process(argv: list[str], health: str, log: Path) -> Iterator[int]:
    """Runs ``argv`` until the block ends, once ``health`` answers; yields its pid."""
    with log.open("wb") as out:
        child = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ERP_GATEWAY_LOG_LEVEL": "warning"},
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if child.poll() is not None:
                    raise RuntimeError(f"{argv[2]} exited:\n{log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(health, timeout=1).status_code < 500:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{argv[2]} not ready after 90 s")
                time.sleep(0.2)
            yield child.pid
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def ask(client: httpx.AsyncClient) -> float:
    """One reference query; its latency in seconds."""
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": QUERY, "variables": {"first": PAGE}})
    elapsed = time.perf_counter() - started
    body = response.json()
    if "errors" in body or len(body["data"]["salesOrders"]["nodes"]) != PAGE:
        raise RuntimeError(f"unexpected answer: {response.text[:2000]}")
    nodes = body["data"]["salesOrders"]["nodes"]
    if not all(n["customer"]["name"] for n in nodes) or not all(
        line["product"]["name"] for n in nodes for line in n["lines"]
    ):
        raise RuntimeError("a customer or product name is missing")
    return elapsed


async def replay(client: httpx.AsyncClient, first: str, rest: list[str]) -> float:
    """The upstream requests of one query, raw: the orders, then the rest together."""

    async def get(url: str) -> object:
        response = await client.get(url)
        response.raise_for_status()
        return json.loads(response.content)

    started = time.perf_counter()
    await get(first)
    await asyncio.gather(*(get(url) for url in rest))
    return time.perf_counter() - started


def upstream_requests(log: Path, since: int) -> list[str]:
    return ACCESS.findall(log.read_bytes()[since:].decode())


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sandbox_dir, gateway_dir = work / "sap", work / "gateway"
    gateway_dir.mkdir()
    seed(sandbox_dir)
    sap_port, gw_port = free_port(), free_port()
    sap = f"http://127.0.0.1:{sap_port}"
    config = gateway_dir / "gateway.toml"
    config.write_text(
        f'[[connections]]\nname = "EU01"\nkind = "sap"\nbase_url = "{sap}"\n'
        'username = "GATEWAY"\npassword = "sandbox"\n'
        # Every query does its upstream work: the response cache would answer it instead.
        "[connections.cache]\nenabled = false\n"
    )
    python = sys.executable
    sandbox_argv = [python, "-m", "erp_sandbox.sap", "--port", str(sap_port)]
    sandbox_argv += ["--data-dir", str(sandbox_dir), "--log-level", "info"]
    gateway_argv = [python, "-m", "experience_api.cli", "serve", "--port", str(gw_port)]
    gateway_argv += ["--data-dir", str(gateway_dir), "--config", str(config)]
    sap_log = work / "sap.log"
    token = load_or_create_dev_key(gateway_dir).issue(
        audience="erp-gateway", subject="bench", roles=("sales",), companies=("*",)
    )
    with (
        process(sandbox_argv, f"{sap}/sap/opu/odata/sap/", sap_log),
        process(gateway_argv, f"http://127.0.0.1:{gw_port}/health", work / "gateway.log") as pid,
    ):
        gateway = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{gw_port}",
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
            await asyncio.sleep(0.5)  # the access log is written after the answer
            requests = upstream_requests(sap_log, since)
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
