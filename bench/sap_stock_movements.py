"""SAP stock adjustment and stock change-capture figures, against the SAP sandbox in process.

1. Adjust: ADJUSTMENTS stock adjustments posted one after the other through SapAdapter (each a
   material document); latency percentiles and HTTP requests per adjustment.
2. Repeat: the same adjustments again (found by their reference, nothing posted).
3. Poll: change capture of stock since before the adjustments (every document read), and since
   after them (none new: what a poller pays when nothing happened).

    .venv/bin/python bench/sap_stock_movements.py [--adjustments 300]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.queries import InventoryFilter, PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient


class Counting(httpx.AsyncBaseTransport):
    """Counts the requests that reach the sandbox."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await self.inner.handle_async_request(request)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"


async def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        app = create_app(SandboxSettings(data_dir=Path(data)))
        transport = Counting(httpx.ASGITransport(app=app))
        client = SapODataClient(
            "http://sap.bench", username="GATEWAY", password="sandbox", transport=transport
        )
        adapter = SapAdapter("S4", client)
        levels = (await adapter.list_inventory(InventoryFilter(), PageRequest(limit=50))).items
        places = [(lv.sku, lv.location) for lv in levels if "/" in lv.location][:10]
        adjustments = [
            StockAdjustment(
                sku=places[index % len(places)][0],
                location=places[index % len(places)][1],
                quantity=Decimal(1 if index % 3 else -1),
                reference=f"bench-{uuid.uuid4()}",
            )
            for index in range(count)
        ]
        since = dt.datetime.now(dt.UTC)
        for label in ("adjust", "repeat"):
            transport.count = 0
            latencies = []
            started = time.perf_counter()
            for adjustment in adjustments:
                began = time.perf_counter()
                await adapter.adjust_stock(adjustment)
                latencies.append(time.perf_counter() - began)
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {count} in {elapsed:.2f} s, {count / elapsed:.0f}/s, "
                f"{percentiles(latencies)}, {transport.count / count:.1f} requests each"
            )
        for label, instant in (
            ("poll since start", since),
            ("poll, nothing new", dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)),
        ):
            transport.count = 0
            began = time.perf_counter()
            page = await adapter.list_inventory(
                InventoryFilter(changed_since=instant), PageRequest(limit=100)
            )
            print(
                f"{label}: {page.total} levels, {transport.count} requests, "
                f"{(time.perf_counter() - began) * 1000:.0f} ms"
            )
        await adapter.aclose()
        app.state.sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adjustments", type=int, default=300)
    asyncio.run(run(parser.parse_args().adjustments))


if __name__ == "__main__":
    main()
