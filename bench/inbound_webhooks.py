"""Inbound webhook figures: how fast a signed event is answered, and how fast the stored
events reach the ERP (the embedded SAP sandbox), on SQLite (default) or PostgreSQL.

1. Accept: EVENTS signed goods receipts sent CONCURRENCY at a time to the full app (auth,
   signature check, validation, insert); answer latency percentiles and events per second.
2. Redelivery: the same events sent again (answered from the unique key as duplicates).
3. Processing: time until every stored event is processed (one stock adjustment each,
   posted as a material document in the sandbox, the event staged in the outbox).

    .venv/bin/python bench/inbound_webhooks.py [--events 200] [--concurrency 8]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from experience_api.app import create_app
from experience_api.gateway import Gateway
from experience_api.inbound.config import InboundSettings, InboundSourceSettings
from experience_api.settings import Settings
from process_apis.persistence.inbound_tables import inbound_events

SECRET = "whsec_" + base64.b64encode(b"bench-warehouse-secret-012345678").decode()


def _signed(webhook_id: str, body: str) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body),
    }


async def _send_all(
    client: httpx.AsyncClient, ids: list[str], concurrency: int
) -> tuple[list[float], dict[int, int]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def one(webhook_id: str, n: int) -> None:
        body = json.dumps(
            {
                "type": "wms.goods_received",
                "data": {"sku": f"TG{11 + n % 20}", "location": "1010/0001", "quantity": "1"},
            }
        )
        async with gate:
            started = time.perf_counter()
            response = await client.post(
                "/webhooks/inbound/wms-bench", content=body, headers=_signed(webhook_id, body)
            )
            latencies.append(time.perf_counter() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    await asyncio.gather(*(one(webhook_id, n) for n, webhook_id in enumerate(ids)))
    return latencies, statuses


def _report(title: str, latencies: list[float], elapsed: float, statuses: dict[int, int]) -> None:
    ms = sorted(1000 * x for x in latencies)
    pct = statistics.quantiles(ms, n=100)
    print(
        f"{title}: {len(ms)} in {elapsed:.2f} s = {len(ms) / elapsed:.0f}/s; "
        f"latency ms p50 {pct[49]:.1f}, p95 {pct[94]:.1f}, p99 {pct[98]:.1f}, "
        f"max {ms[-1]:.1f}; statuses {statuses}"
    )


async def _processed(gateway: Gateway) -> int:
    query = (
        select(func.count())
        .select_from(inbound_events)
        .where(inbound_events.c.status == "processed")
    )
    async with gateway.engine.connect() as conn:
        return int((await conn.execute(query)).one()[0])


async def main(events: int, concurrency: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=database_url,
            inbound=InboundSettings(
                sources=[
                    InboundSourceSettings(
                        name="wms-bench", kind="wms", secret=SECRET, connection="EU01"
                    )
                ],
                poll_interval_seconds=0.2,
            ),
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            gateway: Gateway = app.state.gateway
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                run = uuid.uuid4().hex[:8]
                ids = [f"bench_{run}_{n}" for n in range(events)]
                started = time.perf_counter()
                latencies, statuses = await _send_all(client, ids, concurrency)
                accepted_at = time.perf_counter()
                _report("accept", latencies, accepted_at - started, statuses)
                while True:
                    if await _processed(gateway) >= events:
                        break
                    await asyncio.sleep(0.05)
                done = time.perf_counter()
                print(
                    f"processing: {events} events processed {done - started:.2f} s after the "
                    f"first was sent ({events / (done - started):.0f}/s end to end, "
                    f"{done - accepted_at:.2f} s after the last was accepted)"
                )
                again_started = time.perf_counter()
                latencies, statuses = await _send_all(client, ids, concurrency)
                _report("redelivery", latencies, time.perf_counter() - again_started, statuses)
    print(
        f"state: {database_url or 'SQLite'}; concurrency {concurrency}; ERP: embedded SAP sandbox"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.concurrency, args.database_url))
