"""What the GraphQL limits cost a request, and how fast an abusive one is turned away.

POST /graphql in process (no network), local mode, over the embedded SAP sandbox; every
document below is answered without an ERP call. Prints the median and 95th percentile per
request for: `{ __typename }` with the default limits and with limits set out of reach
(their overhead), a document at the token limit, a 99 kB document of 9,002 tokens, a
fragment bomb (30 levels, each spreading the next twice: 2^30 fields once expanded), a
document nested too deep, and a batch too large.

    .venv/bin/python bench/graphql_limits.py [--requests 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from experience_api.app import create_app
from experience_api.settings import Settings

ACCEPT = {"Accept": "application/graphql-response+json"}
OUT_OF_REACH = {
    "max_depth": 10**6,
    "max_aliases": 10**6,
    "max_tokens": 10**7,
    "max_cost": 10**12,
    "max_request_bytes": 10**8,
}


def fragment_bomb(levels: int = 30) -> str:
    fragments = "\n".join(
        f"fragment F{i} on Customer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    last = f"fragment F{levels} on Customer {{ address {{ city }} }}"
    return f"{{ customers(first: 1) {{ nodes {{ ...F0 }} }} }}\n{fragments}\n{last}"


def at_token_limit(limit: int = 2000) -> str:
    # One token per field, plus the two braces.
    return "{ " + "__typename " * (limit - 2) + "}"


def deep(levels: int = 40) -> str:
    return "{ " + "salesOrders { nodes { customer { " * levels + "name" + " } } }" * levels + " }"


CASES: dict[str, Any] = {
    "{ __typename }": {"query": "{ __typename }"},
    "2,000 tokens (at the limit)": {"query": at_token_limit()},
    "9,002 tokens, 99 kB (refused)": {"query": "{ " + "__typename " * 9_000 + "}"},
    "fragment bomb, 2^30 fields (refused)": {"query": fragment_bomb()},
    "nested 120 levels (refused)": {"query": deep()},
    "batch of 11 (refused)": [{"query": "{ __typename }"}] * 11,
}


async def timings(client: httpx.AsyncClient, body: Any, requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.post("/graphql", json=body, headers=ACCEPT)
        samples.append(time.perf_counter() - started)
        assert response.status_code in (200, 400, 413), response.text[:200]
    return samples


async def run(graphql: dict[str, Any], requests: int) -> dict[str, tuple[float, float, int]]:
    results = {}
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), graphql=graphql))  # type: ignore[arg-type]
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for name, body in CASES.items():
                    if graphql and name.endswith("(refused)"):
                        continue
                    await timings(client, body, 5)  # warm up
                    samples = sorted(await timings(client, body, requests))
                    status = (await client.post("/graphql", json=body, headers=ACCEPT)).status_code
                    p95 = samples[int(len(samples) * 0.95) - 1]
                    results[name] = (statistics.median(samples), p95, status)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    limited = asyncio.run(run({}, args.requests))
    unlimited = asyncio.run(run(OUT_OF_REACH, args.requests))
    print(f"{'request':<40} {'limits':>8} {'median ms':>10} {'p95 ms':>8} {'status':>7}")
    for name, (median, p95, status) in limited.items():
        print(f"{name:<40} {'default':>8} {median * 1000:>10.2f} {p95 * 1000:>8.2f} {status:>7}")
        if name in unlimited:
            median, p95, status = unlimited[name]
            print(f"{'':<40} {'off':>8} {median * 1000:>10.2f} {p95 * 1000:>8.2f} {status:>7}")


if __name__ == "__main__":
    main()
