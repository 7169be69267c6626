"""The least CPU any gateway built on this stack can spend on the reference query.

``bench/query_cpu.py`` measures the gateway's CPU per reference query (50 sales orders with
their lines, each line's product name and each order's customer name). This bench measures,
in the same run, what the gateway's libraries alone cost for the same work, with nothing of
the gateway around them:

* **upstream**: the query's SAP requests (read from the sandbox's access log) sent with a
  plain ``httpx.AsyncClient`` and their answers decoded with ``orjson.loads``: the client side
  of the ERP reads, without mapping;
* **GraphQL**: strawberry executing the reference document over the answer's own values held
  as plain objects (attribute reads only: no loaders, no permissions, no extensions), with the
  document parsed and validated once (graphql-core's ``execute_sync`` alone) and as strawberry does
  it per request; then ``orjson.dumps`` of the result;
* **HTTP server**: uvicorn and starlette (the gateway's server, its own process) answering
  the same POST with the reference answer's bytes, stored: the server side of one request.

Their sum is a floor: mapping records, security, limits, audit and the gateway's own
bookkeeping come on top of it. Printed beside the gateway's measured CPU and the target, a
quarter of ``--before`` (the gateway's CPU per reference query before the performance work,
measured with ``bench/query_cpu.py`` on this machine, idle).

    .venv/bin/python bench/query_floor.py [--queries 200] [--before 32.3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import strawberry
from _harness import (
    PAGE,
    REFERENCE_QUERY,
    check_reference,
    cpu_seconds,
    free_port,
    process,
    sap_and_gateway,
    seed_orders,
)
from graphql import execute_sync, parse, validate
from query_cpu import logged_requests, replay

from experience_api.security.dev_keys import load_or_create_dev_key


@strawberry.type
class Named:
    name: str


@strawberry.type
class Amount:
    value: Decimal
    unit: str


@strawberry.type
class Line:
    sku: str
    quantity: Amount
    product: Named


@strawberry.type
class Order:
    number: str
    customer: Named
    lines: list[Line]


@strawberry.type
class Orders:
    nodes: list[Order]


def floor_schema(answer: dict[str, Any]) -> strawberry.Schema:
    """A schema serving the reference document from the answer's values, held in memory."""
    orders = [
        SimpleNamespace(
            number=node["number"],
            customer=SimpleNamespace(name=node["customer"]["name"]),
            lines=[
                SimpleNamespace(
                    sku=line["sku"],
                    quantity=SimpleNamespace(
                        value=Decimal(line["quantity"]["value"]), unit=line["quantity"]["unit"]
                    ),
                    product=SimpleNamespace(name=line["product"]["name"]),
                )
                for line in node["lines"]
            ],
        )
        for node in answer["data"]["salesOrders"]["nodes"]
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def sales_orders(self, first: int) -> Orders:
            return Orders(nodes=orders[:first])  # type: ignore[arg-type]

    return strawberry.Schema(query=Query)


def graphql_cpu(
    schema: strawberry.Schema, expected: dict[str, Any], count: int
) -> dict[str, float]:
    """CPU ms per execution: graphql-core alone on a parsed document, strawberry whole, and
    encoding the result."""
    variables = {"first": PAGE}
    document = parse(REFERENCE_QUERY)
    if validate(schema._schema, document):
        raise RuntimeError("the reference document does not validate against the floor schema")

    def core() -> dict[str, Any]:
        result = execute_sync(schema._schema, document, variable_values=variables)
        if result.errors or result.data is None:
            raise RuntimeError(f"the floor schema failed: {result.errors}")
        return result.data

    if core() != expected["data"]:
        raise RuntimeError("the floor schema does not give the gateway's answer")
    figures: dict[str, float] = {}
    started = time.process_time()
    for _ in range(count):
        core()
    figures["execute"] = (time.process_time() - started) / count * 1000
    started = time.process_time()
    for _ in range(count):
        schema.execute_sync(REFERENCE_QUERY, variable_values=variables)
    figures["strawberry"] = (time.process_time() - started) / count * 1000
    started = time.process_time()
    for _ in range(count):
        orjson.dumps(expected)
    figures["encode"] = (time.process_time() - started) / count * 1000
    return figures


SERVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    BODY = Path(sys.argv[-1]).read_bytes()

    async def graphql(request):
        await request.body()
        return Response(BODY, media_type="application/json")

    async def health(request):
        return Response(b"ok")

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]),
                            Route("/health", health)])
    """
)


async def server_cpu(work: Path, body: bytes, token: str, count: int) -> float:
    """Server CPU ms per request of uvicorn and starlette answering stored bytes."""
    (work / "floor_server.py").write_text(SERVER)
    (work / "answer.json").write_bytes(body)
    port = free_port()
    argv = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(work)!r}); "]
    argv[-1] += "import uvicorn, floor_server; "
    argv[-1] += (
        "uvicorn.run(floor_server.app, host='127.0.0.1', "
        f"port={port}, log_level='warning', proxy_headers=False)"
    )
    argv.append(str(work / "answer.json"))
    url = f"http://127.0.0.1:{port}"
    with process(argv, f"{url}/health", work / "floor-server.log") as pid:
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            payload = {"query": REFERENCE_QUERY, "variables": {"first": PAGE}}
            for _ in range(count // 5):
                (await client.post("/graphql", json=payload)).raise_for_status()
            started = cpu_seconds(pid)
            for _ in range(count):
                response = await client.post("/graphql", json=payload)
                response.raise_for_status()
                json.loads(response.content)
            return (cpu_seconds(pid) - started) / count * 1000


async def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    sandbox_dir = work / "sap"
    seed_orders(sandbox_dir)
    uncached = "batch = false\n[connections.cache]\nenabled = false\n"
    with sap_and_gateway(work, sandbox_dir, "floor", uncached) as served:
        token = load_or_create_dev_key(served.gateway_dir).issue(
            audience="erp-gateway", subject="bench", roles=("sales",), companies=("*",)
        )
        gateway = httpx.AsyncClient(
            base_url=served.gateway, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        raw = httpx.AsyncClient(base_url=served.sap, auth=("GATEWAY", "sandbox"), timeout=60)
        payload = {"query": REFERENCE_QUERY, "variables": {"first": PAGE}}
        async with gateway, raw:
            since = served.sap_log.stat().st_size
            response = await gateway.post("/graphql", json=payload)
            answer = response.json()
            check_reference(answer)
            requests = await logged_requests(served.sap_log, since)
            first, rest = requests[0], requests[1:]
            # Start-up objects are not scanned by the collector again, as in the gateway.
            gc.freeze()
            for _ in range(args.queries // 5):
                await gateway.post("/graphql", json=payload)
                await replay(raw, first, rest)
            started = cpu_seconds(served.gateway_pid)
            for _ in range(args.queries):
                check_reference((await gateway.post("/graphql", json=payload)).json())
            gateway_cpu = (cpu_seconds(served.gateway_pid) - started) / args.queries * 1000
            started = time.process_time()
            for _ in range(args.queries):
                await replay(raw, first, rest)
            upstream = (time.process_time() - started) / args.queries * 1000
    figures = graphql_cpu(floor_schema(answer), answer, args.queries)
    server = await server_cpu(work, response.content, token, args.queries)
    return {"gateway": gateway_cpu, "upstream": upstream, "server": server, **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--before", type=float, default=32.3, help="gateway CPU ms per query before (idle)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="query-floor-bench-") as work:
        r = asyncio.run(run(args, Path(work)))
    floor = r["upstream"] + r["execute"] + r["encode"] + r["server"]
    target = args.before / 4
    rows = [
        ("upstream: the SAP requests, raw httpx + orjson", r["upstream"]),
        ("GraphQL: graphql-core execute_sync, parsed once", r["execute"]),
        ("  (strawberry execute_sync, parse+validate)", r["strawberry"]),
        ("encode: orjson.dumps of the answer", r["encode"]),
        ("HTTP server: uvicorn + starlette, stored body", r["server"]),
        ("floor (upstream + execute + encode + server)", floor),
        ("gateway, measured in this run", r["gateway"]),
        (f"target: a quarter of {args.before:.1f}", target),
    ]
    print(f"{'CPU ms per reference query':<48} {'ms':>6}")
    for label, value in rows:
        print(f"{label:<48} {value:>6.2f}")
    print(f"floor / target: {floor / target:.2f}   gateway / floor: {r['gateway'] / floor:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
