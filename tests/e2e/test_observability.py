"""A real gateway process with JSON logs and traces sent to an OTLP/HTTP collector: the
lines parse, name their request and trace, keep no secret; the collector gets the spans
of the caller's trace."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.e2e.processes import command, free_port

TRACE_ID = uuid.uuid4().hex
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
QUERY = "{ customers(first: 2) { nodes { id } } }"
FORGED = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vYm9keSJ9."
    "eyJzdWIiOiJsb2ctdGVzdCIsImV4cCI6NDEwMjQ0NDgwMH0."
    "Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLWxvZy10ZXN0"
)


class Collector:
    """An OTLP/HTTP trace receiver on a free loopback port, keeping what it is sent."""

    def __init__(self) -> None:
        self.exports: list[tuple[str, str, bytes]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.exports.append((self.path, self.headers["Content-Type"], body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"

    def spans(self) -> list[tuple[str, str]]:
        """(trace id, span name) of every span received."""
        found = []
        for _, _, body in self.exports:
            request = ExportTraceServiceRequest.FromString(body)
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    found += [(s.trace_id.hex(), s.name) for s in scope.spans]
        return found


@contextmanager
def collecting() -> Iterator[Collector]:
    collector = Collector()
    thread = threading.Thread(target=collector.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        collector.server.shutdown()
        collector.server.server_close()
        thread.join()


def test_json_logs_and_exported_traces(tmp_path: Path) -> None:
    password = f"sandbox-{uuid.uuid4().hex}"
    port = free_port()
    log = tmp_path / "gateway.log"
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    with collecting() as collector:
        env = {
            "ERP_GATEWAY_SANDBOX_PASSWORD": password,
            "ERP_GATEWAY_LOG_FORMAT": "json",
            "ERP_GATEWAY_TRACING__OTLP_ENDPOINT": collector.url,
            "ERP_GATEWAY_TRACING__SERVICE_NAME": "gateway-under-test",
        }
        with (
            command(args, f"{base}/health", env=env, output=log),
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            traced = client.post(
                "/graphql",
                json={"query": QUERY},
                headers={"traceparent": TRACEPARENT, "X-Request-ID": "json-log-1"},
            )
            forged = client.post(
                "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {FORGED}"}
            )
        # The gateway has stopped: its last spans were flushed on the way out.

    assert traced.status_code == 200
    assert traced.headers["x-request-id"] == "json-log-1"
    text = log.read_text(errors="replace")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    [access] = [line for line in lines if line.get("request_id") == "json-log-1"]
    assert access["logger"] == "uvicorn.access"
    assert '"POST /graphql HTTP/1.1" 200' in access["message"]
    assert access["trace_id"] == TRACE_ID
    refused = [line for line in lines if line.get("request_id") == forged.headers["x-request-id"]]
    assert refused
    assert all(line["trace_id"] and line["trace_id"] != TRACE_ID for line in refused)
    for secret in (password, FORGED):
        assert secret not in text

    assert {path for path, _, _ in collector.exports} == {"/v1/traces"}
    assert {kind for _, kind, _ in collector.exports} == {"application/x-protobuf"}
    names = {name for trace_id, name in collector.spans() if trace_id == TRACE_ID}
    assert {"POST /graphql", "query"} <= names
    assert any(name.startswith("erp ") for name in names), names
