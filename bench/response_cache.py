"""Reference-query throughput with the response cache warm against without it.

The reference query reads 50 sales orders with their lines, each line's product name and
each order's customer name. Two gateways run in process (POST /graphql over ASGI, local
mode), each over its own embedded SAP sandbox seeded alike (the demo's 30 orders and 20
placed through GraphQL), change capture off: one with the response cache (in memory, the
default TTLs), one with it off. Rounds alternate between them, so both see the same load
on the machine; each round sends ``--queries`` reference queries one after the other. The
cached gateway is warmed by one query first (its answer then comes from the cache until a
TTL runs out: the shortest TTL the query touches, orders', is 30 s, and a round is far
shorter; the bench checks that warm rounds reach the sandbox not at all).

Printed: queries per second of each (median of the rounds), the process's CPU per query
(the in-process sandbox's included: on a shared machine the steadier figure), the SAP
requests per query of each, and the ratios cached / uncached (the target is at least 5).

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

from experience_api.app import create_app
from experience_api.gateway import Gateway
from experience_api.settings import Settings

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
            "/graphql", json={"query": QUERY, "variables": {"first": PAGE}}, headers=ACCEPT
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body.get("errors")
        assert len(body["data"]["salesOrders"]["nodes"]) == PAGE, "fewer orders than a page"
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
async def gateway(data_dir: Path, cache: bool) -> AsyncIterator[tuple[httpx.AsyncClient, Gateway]]:
    connection = {
        "name": "EU01",
        "change_capture": {"enabled": False},
        "cache": {"enabled": cache},
    }
    settings = Settings(data_dir=data_dir, connections=[connection])  # type: ignore[list-item]
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


async def run(queries: int, rounds: int) -> tuple[Side, Side]:
    with tempfile.TemporaryDirectory() as cold_dir, tempfile.TemporaryDirectory() as warm_dir:
        async with (
            gateway(Path(cold_dir), cache=False) as (cold_client, cold_gateway),
            gateway(Path(warm_dir), cache=True) as (warm_client, warm_gateway),
        ):
            uncached = Side("uncached", cold_client, cold_gateway)
            cached = Side("cached (warm)", warm_client, warm_gateway)
            for side in (uncached, cached):
                await seed(side.client)
            # Both answers must be the same data: the cache changes the cost, not the answer.
            assert (await uncached.query()) == (await cached.query())
            for _ in range(rounds):
                await uncached.round(queries)
                await cached.round(queries)
    return uncached, cached


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    uncached, cached = asyncio.run(run(args.queries, args.rounds))
    print(f"reference query: {PAGE} orders with lines, product and customer names")
    print(f"{'gateway':<16} {'queries/s':>10} {'CPU ms/query':>13} {'SAP requests/query':>19}")
    for side in (uncached, cached):
        rate, cpu = statistics.median(side.rates), statistics.median(side.cpu) * 1000
        requests = statistics.mean(side.requests)
        print(f"{side.name:<16} {rate:>10.1f} {cpu:>13.1f} {requests:>19.2f}")
    ratio = statistics.median(cached.rates) / statistics.median(uncached.rates)
    cpu_ratio = statistics.median(uncached.cpu) / statistics.median(cached.cpu)
    print(f"ratio cached / uncached: {ratio:.1f}x throughput, {cpu_ratio:.1f}x less CPU per query")
    print("(target >= 5x throughput)")


if __name__ == "__main__":
    main()
