"""Bulk export throughput and memory: the gateway's NDJSON export of stock rows from the SAP
sandbox against reading the same rows from the sandbox directly, in the same run.

For each size (default 25,000, 50,000 and 100,000 stock rows) a throwaway sandbox data
directory is seeded with that many unrestricted-use stock rows (one material each), then:

1. direct: the sandbox's stock entity set read over HTTP with its largest pages (no ``$top``:
   the server's page limit, following ``__next``), every answer decoded;
2. gateway: ``GET /export/inventory`` of a gateway (``erp-gateway serve``, its own process)
   whose SAP connection is that sandbox, every NDJSON line counted.

Both read the same rows with the same ``$select``/``$orderby``/``$filter``; each is run
``--rounds`` times and the best kept. Printed: records/s of each, their ratio (target
>= 80%), and the gateway process's peak RSS (VmHWM; target < 250 MB, flat as the set grows).

    .venv/bin/python bench/export.py [--sizes 25000,50000,100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
from _harness import peak_rss_mb, sap_and_gateway

from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.settings import SandboxSettings
from erp_sandbox.sap.stock import set_stock
from system_apis.sap.mapping.selects import STOCK_SELECT

STOCK_PATH = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod"
STOCK_QUERY = {
    "$filter": "InventoryStockType eq '01'",
    "$select": ",".join(STOCK_SELECT),
    "$orderby": "Material,Plant,StorageLocation,Batch",
}


def seed(data_dir: Path, rows: int) -> int:
    """The demo data plus ``rows`` stock rows; the number of unrestricted stock rows in all."""
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir))
    with sandbox.store.write() as tx:
        for index in range(rows):
            set_stock(tx, f"BENCH-{index:07d}", "1010", "101A", Decimal(index % 997 + 1), "PC")
        total = sum(1 for r in tx.rows("A_MatlStkInAcctMod") if r["InventoryStockType"] == "01")
    sandbox.store.close()
    return total


async def direct(sap: str) -> tuple[int, float]:
    """Records read from the sandbox with its largest pages, and the seconds it took."""
    auth = httpx.BasicAuth("GATEWAY", "sandbox")
    async with httpx.AsyncClient(base_url=sap, auth=auth, timeout=120) as client:
        started = time.perf_counter()
        count = 0
        response = await client.get(STOCK_PATH, params=STOCK_QUERY)
        while True:
            response.raise_for_status()
            body = json.loads(response.content)["d"]
            count += len(body["results"])
            if not body.get("__next"):
                return count, time.perf_counter() - started
            response = await client.get(body["__next"])


async def gateway_export(gateway: str) -> tuple[int, float]:
    """Records the gateway's export streamed, and the seconds it took."""
    async with httpx.AsyncClient(base_url=gateway, timeout=300) as client:
        started = time.perf_counter()
        count = 0
        async with client.stream(
            "GET", "/export/inventory", params={"connection": "EU01"}
        ) as response:
            response.raise_for_status()
            tail = b""
            async for block in response.aiter_bytes():
                count += block.count(b"\n")
                tail = (tail + block)[-200:]
        if b'"error"' in tail.splitlines()[-1]:
            raise RuntimeError(f"the export failed: {tail.decode(errors='replace')}")
        return count, time.perf_counter() - started


def measure(size: int, rounds: int, work: Path) -> dict[str, float]:
    sandbox_dir = work / f"sap-{size}"
    expected = seed(sandbox_dir, size)
    connection = "timeout_seconds = 120\n[connections.resilience]\ntimeout = 120\n"
    with sap_and_gateway(work, sandbox_dir, f"{size}", connection, "warning") as served:
        sap, gateway_pid = served.sap, served.gateway_pid
        asyncio.run(direct(sap))  # the sandbox loads its rows once, for both
        best_direct = best_gateway = float("inf")
        for _ in range(rounds):
            count, seconds = asyncio.run(direct(sap))
            assert count == expected, (count, expected)
            best_direct = min(best_direct, seconds)
            count, seconds = asyncio.run(gateway_export(served.gateway))
            assert count == expected, (count, expected)
            best_gateway = min(best_gateway, seconds)
        rss = peak_rss_mb(gateway_pid)
    return {
        "records": expected,
        "direct": expected / best_direct,
        "gateway": expected / best_gateway,
        "rss": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="export-bench-") as work:
        print(
            f"{'stock rows':>10} {'direct rec/s':>13} {'export rec/s':>13} {'ratio':>6} "
            f"{'gateway peak RSS':>17}"
        )
        for size in sizes:
            result = measure(size, args.rounds, Path(work))
            print(
                f"{result['records']:>10,.0f} {result['direct']:>13,.0f} "
                f"{result['gateway']:>13,.0f} {result['gateway'] / result['direct']:>6.0%} "
                f"{result['rss']:>14.0f} MB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
