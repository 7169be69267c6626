"""Change-capture figures: what a poll costs when nothing changed, and how fast a backlog of
changes becomes events, against the SAP sandbox in process and a state database (SQLite by
default, or PostgreSQL).

1. Idle: POLLS polls of all three streams with nothing new (what the embedded default pays
   every second); latency percentiles and HTTP requests per poll.
2. Backlog: ORDERS sales orders placed in the sandbox while nobody polls, then polls until
   caught up; polls needed, events staged, time and events per second.

    .venv/bin/python bench/change_capture.py [--orders 100] [--polls 50]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.database import create_engine, migrate
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100)
    return f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {ms[-1]:.1f} ms"


async def main(orders: int, polls: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(SandboxSettings(data_dir=Path(tmp) / "sap"))
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        if database_url:
            # A schema of its own, dropped afterwards: the database keeps nothing of the run.
            admin = create_engine(database_url)
            async with admin.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
            engine = create_async_engine(
                database_url, connect_args={"server_settings": {"search_path": schema}}
            )
        else:
            engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'state.sqlite'}")
        await migrate(engine)
        async with app.router.lifespan_context(app):
            transport = Counting(httpx.ASGITransport(app=app))
            client = SapODataClient(
                "http://sap.bench", username="GATEWAY", password="sandbox", transport=transport
            )
            adapter = SapAdapter("BENCH", client)
            policy = ChangeCapturePolicy(enabled=True, page_size=100, max_per_poll=1000)
            poller = ChangeCapturePoller("BENCH", adapter, SqlWatermarkStore(engine), policy)
            await poller.poll_once()

            samples = []
            before = transport.requests
            for _ in range(polls):
                start = time.perf_counter()
                await poller.poll_once()
                samples.append(time.perf_counter() - start)
            print(
                f"idle poll ({polls} polls, 3 streams): {percentiles(samples)}, "
                f"{(transport.requests - before) / polls:.1f} HTTP requests per poll"
            )

            customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[
                0
            ]
            level = max(
                (await adapter.list_inventory(InventoryFilter(), PageRequest(limit=100))).items,
                key=lambda lv: lv.quantity.value,
            )
            for _ in range(orders):
                await adapter.create_sales_order(
                    SalesOrderDraft(
                        customer_native_id=customer.native_id,
                        lines=(
                            OrderLineDraft(
                                sku=level.sku, quantity=Decimal(1), location=level.location
                            ),
                        ),
                    )
                )
            start = time.perf_counter()
            rounds = staged = 0
            while True:
                rounds += 1
                got = sum(r.staged for r in await poller.poll_once())
                staged += got
                if not got:
                    break
            elapsed = time.perf_counter() - start
            async with engine.connect() as conn:
                total = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
            print(
                f"backlog of {orders} orders: {staged} events staged in {rounds} polls, "
                f"{elapsed:.2f} s ({staged / elapsed:.0f} events/s); outbox holds {total}"
            )
            await adapter.aclose()
        await engine.dispose()
        if database_url:
            admin = create_engine(database_url)
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--polls", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.polls, args.database_url))
