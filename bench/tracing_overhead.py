"""What tracing costs a request: the same GraphQL queries with tracing off and on.

POST /graphql in process (no network), local mode, over the embedded SAP sandbox. Two
documents: a list of 100 customers (one ERP call, 100 rows of three fields: the per-field
case, where a span per field would show) and an order page with lines, products and
customers (several ERP calls). Rounds alternate in one process between

* off: no SDK (OpenTelemetry's no-op tracer, the gateway's default), and
* on: the SDK recording every span, in batches, encoded to OTLP protobuf by an exporter
  that does everything the OTLP/HTTP one does except the POST.

Each caller sends a W3C ``traceparent``, as a traced front end would. Printed per document:
CPU ms per request (the whole process: gateway, sandbox, exporter thread) and the median
latency off and on, their ratio, and the spans each request recorded.

    .venv/bin/python bench/tracing_overhead.py [--requests 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from experience_api.app import create_app
from experience_api.settings import Settings

DOCUMENTS = {
    "100 customers": "{ customers(first: 100) { nodes { id name blocked } } }",
    "order page": """{ salesOrders(first: 20) { nodes { number customer { name }
        lines { sku quantity { value unit } product { name } } } } }""",
}
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class EncodingExporter(SpanExporter):
    """The OTLP exporter's work short of the network: spans encoded to protobuf bytes."""

    def __init__(self) -> None:
        self.spans = 0
        self.encoded_bytes = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        self.encoded_bytes += len(encode_spans(spans).SerializeToString())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass


class Switch(trace.TracerProvider):
    """The process's tracer provider: the SDK's while ``on``, the no-op one otherwise.

    The gateway looks its tracer up on each use, so a flip takes effect at once.
    """

    def __init__(self, sdk: TracerProvider) -> None:
        self.sdk = sdk
        self.on = False
        self._off = trace.NoOpTracerProvider()

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        provider: trace.TracerProvider = self.sdk if self.on else self._off
        return provider.get_tracer(*args, **kwargs)


async def _round(client: httpx.AsyncClient, document: str, requests: int) -> tuple[float, float]:
    """CPU ms per request and median latency ms over ``requests`` sequential requests."""
    latencies = []
    cpu = time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": document}, headers={"traceparent": TRACEPARENT}
        )
        latencies.append((time.perf_counter() - started) * 1000)
        body = response.json()
        if "errors" in body:
            raise SystemExit(f"the query failed: {body['errors']}")
    return (time.process_time() - cpu) * 1000 / requests, statistics.median(latencies)


async def main(requests: int, rounds: int) -> None:
    exporter = EncodingExporter()
    sdk = TracerProvider()
    processor = BatchSpanProcessor(exporter)
    sdk.add_span_processor(processor)
    switch = Switch(sdk)
    trace.set_tracer_provider(switch)
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir)))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway.bench", timeout=60
            ) as client:
                print(f"{requests} requests a round, {rounds} rounds each way, alternating")
                for name, document in DOCUMENTS.items():
                    await _round(client, document, max(10, requests // 10))  # warm-up
                    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
                    spans_before = exporter.spans
                    for _ in range(rounds):
                        for on in (False, True):
                            switch.on = on
                            figures[on].append(await _round(client, document, requests))
                            processor.force_flush()
                    switch.on = False
                    per_request = (exporter.spans - spans_before) / (requests * rounds)
                    cpu_off = statistics.median(f[0] for f in figures[False])
                    cpu_on = statistics.median(f[0] for f in figures[True])
                    p50_off = statistics.median(f[1] for f in figures[False])
                    p50_on = statistics.median(f[1] for f in figures[True])
                    print(
                        f"{name:>14}: CPU/request off {cpu_off:6.2f} ms, on {cpu_on:6.2f} ms "
                        f"(ratio {cpu_on / cpu_off:.3f}); p50 off {p50_off:6.2f} ms, "
                        f"on {p50_on:6.2f} ms (ratio {p50_on / p50_off:.3f}); "
                        f"{per_request:.1f} spans a request"
                    )
    processor.shutdown()
    print(f"exported {exporter.spans} spans, {exporter.encoded_bytes / 1024:.0f} KiB of OTLP")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.requests, options.rounds))
