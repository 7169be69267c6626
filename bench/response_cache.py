"""Reference-query throughput with the caches warm against without them.

The reference query reads 50 sales orders with their lines, each line's product name and
each order's customer name. Three gateways run in process (POST /graphql over ASGI, local
mode), each over its own embedded SAP sandbox seeded alike (the demo's 30 orders and 20
placed through GraphQL), change capture off: one with no cache, one with the cache of ERP
reads only (``[cache] results = false``), one with the reads and whole query results cached
(the default; in memory, the default TTLs). Rounds alternate between them, so all see the
same load on the machine; each round sends ``--queries`` reference queries one after the
other. The cached gateways are warmed by one query first (their answers then come from the
cache until a TTL runs out: the shortest TTL the query touches, orders', is 30 s, and a
round is far shorter; the SAP requests per query show warm rounds reach the sandbox not at
all).

Printed: queries per second of each (median of the rounds), the process's CPU per query
(the in-process sandboxes' included: on a shared machine the steadier figure), the SAP
requests per query of each, and the ratios against uncached (the target is at least 5).

    .venv/bin/python bench/response_cache.py [--queries 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from _harness import EXTRA_ORDERS, PAGE, REFERENCE_QUERY, check_reference

from experience_api.app import create_app
from experience_api.gateway import Gateway
from experience_api.settings import Settings

ACCEPT = {"Accept": "application/graphql-response+json"}


class Side:
    def __init__(self, name: str, client: httpx.AsyncClient, gateway: Gateway) -> None:
        self.name = name
        self.client = client
        self.sandbox = gateway.sandboxes["EU01"].state.sandbox
        self.rates: list[float] = []
        self.requests: list[float] = []
        self.cpu: list[float] = []

    async def query(self) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": REFERENCE_QUERY, "variables": {"first": PAGE}},
            headers=ACCEPT,
        )
        body: dict[str, Any] = response.json()
        check_reference(body)
        return body

    async def round(self, queries: int) -> None:
        before = self.sandbox.request_count
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(queries):
            await self.query()
        elapsed = time.perf_counter() - started
        self.cpu.append((time.process_time() - cpu) / queries)
        self.rates.append(queries / elapsed)
        self.requests.append((self.sandbox.request_count - before) / queries)


@asynccontextmanager
async def gateway(
    data_dir: Path, cache: bool, results: bool = True
) -> AsyncIterator[tuple[httpx.AsyncClient, Gateway]]:
    connection = {
        "name": "EU01",
        "change_capture": {"enabled": False},
        "cache": {"enabled": cache},
    }
    settings = Settings(
        data_dir=data_dir,
        connections=[connection],  # type: ignore[list-item]
        cache={"results": results},  # type: ignore[arg-type]
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client, app.state.gateway


async def seed(client: httpx.AsyncClient) -> None:
    """Twenty more orders, from several customers, beside the demo seed's thirty."""
    body = (
        await client.post(
            "/graphql",
            json={
                "query": "{ customers(first: 20) { nodes { id } } "
                "inventory(first: 100) { nodes { sku quantity { value } } } }"
            },
            headers=ACCEPT,
        )
    ).json()["data"]
    customers = [node["id"] for node in body["customers"]["nodes"]]
    sku = max(body["inventory"]["nodes"], key=lambda n: float(n["quantity"]["value"]))["sku"]
    place = """mutation Place($input: PlaceOrderInput!) {
      placeOrder(input: $input) { errors { message } } }"""
    for index in range(EXTRA_ORDERS):
        order = {
            "idempotencyKey": f"bench-{index}",
            "customerId": customers[index % len(customers)],
            "lines": [{"sku": sku, "quantity": "1"}],
        }
        placed = await client.post(
            "/graphql", json={"query": place, "variables": {"input": order}}, headers=ACCEPT
        )
        assert placed.json()["data"]["placeOrder"]["errors"] == [], placed.text


async def run(queries: int, rounds: int) -> list[Side]:
    with (
        tempfile.TemporaryDirectory() as cold_dir,
        tempfile.TemporaryDirectory() as reads_dir,
        tempfile.TemporaryDirectory() as warm_dir,
    ):
        async with (
            gateway(Path(cold_dir), cache=False) as (cold_client, cold_gateway),
            gateway(Path(reads_dir), cache=True, results=False) as (reads_client, reads_gateway),
            gateway(Path(warm_dir), cache=True) as (warm_client, warm_gateway),
        ):
            sides = [
                Side("uncached", cold_client, cold_gateway),
                Side("reads cached", reads_client, reads_gateway),
                Side("reads+results", warm_client, warm_gateway),
            ]
            for side in sides:
                await seed(side.client)
            # The same data on every side: the cache changes the cost, not the answer.
            answers = [await side.query() for side in sides]
            assert all(answer == answers[0] for answer in answers)
            for _ in range(rounds):
                for side in sides:
                    await side.round(queries)
    return sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sides = asyncio.run(run(args.queries, args.rounds))
    uncached = sides[0]
    print(f"reference query: {PAGE} orders with lines, product and customer names")
    print(
        f"{'gateway':<16} {'queries/s':>10} {'CPU ms/query':>13} {'SAP requests/query':>19} "
        f"{'x throughput':>13} {'x less CPU':>11}"
    )
    for side in sides:
        rate, cpu = statistics.median(side.rates), statistics.median(side.cpu) * 1000
        requests = statistics.mean(side.requests)
        ratio = rate / statistics.median(uncached.rates)
        cpu_ratio = statistics.median(uncached.cpu) * 1000 / cpu
        print(
            f"{side.name:<16} {rate:>10.1f} {cpu:>13.1f} {requests:>19.2f} "
            f"{ratio:>12.1f}x {cpu_ratio:>10.1f}x"
        )
    print("(ratios against uncached, measured in the same run; target >= 5x throughput warm)")


if __name__ == "__main__":
    main()
