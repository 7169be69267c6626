"""A real gateway process at debug level: its whole log holds no secret, token or personal
data, whatever the requests carried."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import httpx

from tests.e2e.processes import command, free_port

QUERY = '{ customers(first: 5, filter: {nameContains: "a"}) { nodes { id name } } }'
PLACE = """mutation { placeOrder(input: {idempotencyKey: "logs-1", customerId: "EU01:10100001",
  lines: [{sku: "TG11", quantity: "1"}]}) { order { id } errors { code } } }"""
# A well-formed token nobody signed: whatever the gateway does with it, it must not log it.
FORGED = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vYm9keSJ9."
    "eyJzdWIiOiJsb2ctdGVzdCIsImV4cCI6NDEwMjQ0NDgwMH0."
    "Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLWxvZy10ZXN0"
)


def test_the_log_keeps_no_secrets(tmp_path: Path) -> None:
    password = f"sandbox-{uuid.uuid4().hex}"
    audit_key = uuid.uuid4().hex + uuid.uuid4().hex
    port = free_port()
    log = tmp_path / "gateway.log"
    env = {
        "ERP_GATEWAY_SANDBOX_PASSWORD": password,
        "ERP_GATEWAY_AUDIT_KEY": audit_key,
        "ERP_GATEWAY_LOG_LEVEL": "debug",
    }
    base = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    names: list[str] = []
    with (
        command(args, f"{base}/health", env=env, output=log),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        customers = client.post("/graphql", json={"query": QUERY}).json()
        names = [c["name"] for c in customers["data"]["customers"]["nodes"]]
        client.post("/graphql", json={"query": PLACE})
        client.post(
            "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {FORGED}"}
        )
        client.post(
            "/graphql", content=b'{"query": "{ nope', headers={"content-type": "application/json"}
        )

    text = log.read_text(errors="replace")
    assert '"POST /graphql HTTP/1.1" 200' in text  # requests were logged
    assert "Logging error" not in text
    basic = base64.b64encode(f"GATEWAY:{password}".encode()).decode()
    for secret in (password, audit_key, FORGED, basic):
        assert secret not in text
    assert names
    for name in names:
        assert name not in text
