"""Two gateway replicas sharing one PostgreSQL state database and RabbitMQ: an inbound
event sent to both is processed once, and a GraphQL subscriber on one replica sees the
stock change the other one caused. Real processes: the SAP sandbox and two gateways."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from websockets.asyncio.client import ClientConnection, connect

from process_apis.inventory_sync.flow import movement_reference
from system_apis.sap.mapping.defaults import SAP_LIMITS
from tests.e2e.processes import command, free_port
from tests.support.services import RABBITMQ_PORT, require, require_postgres
from tests.support.state import database_url, postgres_database

SAP_AUTH = ("GATEWAY", "sandbox")
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"
SECRET = "whsec_" + base64.b64encode(b"replica-warehouse-secret-0123456").decode()
SKU, PLANT, SLOC = "TG12", "1010", "0001"
LOCATION = f"{PLANT}/{SLOC}"
CHANGES = """
subscription Stock($sku: String, $location: String) {
  inventoryChanged(sku: $sku, location: $location) {
    eventId sku location quantity { value unit } change reason connection
  }
}"""


async def _delete_exchange(name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        await channel.exchange_delete(name)


@dataclass
class Replicas:
    sap: str
    a: str
    b: str

    async def push(self, replica: str, webhook_id: str, quantity: str) -> httpx.Response:
        data = {"sku": SKU, "location": LOCATION, "quantity": quantity}
        body = json.dumps({"type": "wms.goods_received", "data": data})
        now = dt.datetime.now(dt.UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body),
        }
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(
                f"http://{replica}/webhooks/inbound/wms-main", content=body, headers=headers
            )

    async def sap_level(self) -> Decimal:
        async with httpx.AsyncClient(auth=SAP_AUTH, timeout=30) as client:
            response = await client.get(
                f"{self.sap}/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod",
                params={
                    "$filter": f"Material eq '{SKU}' and Plant eq '{PLANT}' "
                    f"and StorageLocation eq '{SLOC}'",
                    "$format": "json",
                },
            )
        response.raise_for_status()
        rows = response.json()["d"]["results"]
        return sum((Decimal(r["MatlWrhsStkQtyInMatlBaseUnit"]) for r in rows), Decimal(0))

    async def sap_documents(self, reference: str) -> int:
        async with httpx.AsyncClient(auth=SAP_AUTH, timeout=30) as client:
            response = await client.get(
                f"{self.sap}/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/A_MaterialDocumentHeader",
                params={
                    "$filter": f"MaterialDocumentHeaderText eq '{reference}'",
                    "$format": "json",
                },
            )
        response.raise_for_status()
        return len(response.json()["d"]["results"])


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    require_postgres()
    require(RABBITMQ_PORT, "RabbitMQ")
    exchange = f"erp-gateway.e2e.{uuid.uuid4().hex[:12]}"
    sap_port, a_port, b_port = free_port(), free_port(), free_port()
    sap = f"http://127.0.0.1:{sap_port}"
    connection = {"name": "EU01", "kind": "sap", "base_url": sap,
                  "username": "GATEWAY", "password": "sandbox"}  # fmt: skip
    source = {"name": "wms-main", "kind": "wms", "secret": SECRET, "connection": "EU01"}

    def env(poll_seconds: float) -> dict[str, str]:
        return {
            "ERP_GATEWAY_CONNECTIONS": json.dumps([connection]),
            "ERP_GATEWAY_DATABASE_URL": database_url(database),
            "ERP_GATEWAY_EVENTS__BROKER": "rabbitmq",
            "ERP_GATEWAY_EVENTS__RABBITMQ_URL": RABBITMQ,
            "ERP_GATEWAY_EVENTS__EXCHANGE": exchange,
            "ERP_GATEWAY_INBOUND": json.dumps(
                {"sources": [source], "poll_interval_seconds": poll_seconds}
            ),
            "ERP_GATEWAY_GRAPHIQL": "false",
        }

    def serve(port: int, name: str) -> list[str]:
        return ["serve", "--port", str(port), "--data-dir", str(tmp_path / name)]

    try:
        with (
            postgres_database("replicas") as database,
            command(
                ["sandbox", "sap", "--port", str(sap_port), "--data-dir", str(tmp_path / "sap")],
                f"{sap}/sandbox/stats",
            ),  # fmt: skip
            # A looks for due events often; B only when its own endpoint stored one (and
            # once a minute): what A stores, A processes, and B learns of it by the broker.
            command(serve(a_port, "a"), f"http://127.0.0.1:{a_port}/health", env=env(0.2)),
            command(serve(b_port, "b"), f"http://127.0.0.1:{b_port}/health", env=env(60)),
        ):
            yield Replicas(sap, f"127.0.0.1:{a_port}", f"127.0.0.1:{b_port}")
    finally:
        asyncio.run(_delete_exchange(exchange))


@pytest.fixture
async def subscriber_on_b(replicas: Replicas) -> AsyncIterator[ClientConnection]:
    ws = await connect(
        f"ws://{replicas.b}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    payload = {"query": CHANGES, "variables": {"sku": SKU, "location": LOCATION}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    # A pong means the subscribe message was read; the pause lets it register.
    await ws.send(json.dumps({"type": "ping"}))
    await asyncio.sleep(0.5)
    yield ws
    await ws.close()


async def next_change(ws: ClientConnection, seconds: float = 20) -> dict[str, Any]:
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] in ("ping", "pong"):
                continue
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            change: dict[str, Any] = message["payload"]["data"]["inventoryChanged"]
            return change


async def test_an_event_sent_to_both_replicas_moves_stock_once_and_reaches_b_subscribers(
    replicas: Replicas, subscriber_on_b: ClientConnection
) -> None:
    before = await replicas.sap_level()
    webhook_id = f"msg_{uuid.uuid4().hex}"

    on_a = await replicas.push(replicas.a, webhook_id, "5")
    on_b = await replicas.push(replicas.b, webhook_id, "5")

    assert on_a.status_code == 202, on_a.text
    assert on_b.status_code == 200, on_b.text
    assert on_b.json() == {"status": "duplicate", "id": on_a.json()["id"]}
    change = await next_change(subscriber_on_b)
    assert change["sku"] == SKU
    assert change["location"] == LOCATION
    assert Decimal(change["quantity"]["value"]) == before + 5
    assert Decimal(change["change"]) == 5
    assert change["reason"] == "goods_received"
    assert change["connection"] == "EU01"
    assert await replicas.sap_level() == before + 5
    reference = movement_reference("wms-main", webhook_id, SAP_LIMITS)
    assert await replicas.sap_documents(reference) == 1


async def test_a_burst_sent_to_both_replicas_at_once_is_processed_once_each(
    replicas: Replicas, subscriber_on_b: ClientConnection
) -> None:
    before = await replicas.sap_level()
    ids = [f"burst_{uuid.uuid4().hex}" for _ in range(10)]

    answers = await asyncio.gather(
        *(replicas.push(replica, i, "1") for i in ids for replica in (replicas.a, replicas.b))
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 10 + [202] * 10
    changes = [await next_change(subscriber_on_b) for _ in ids]
    assert len({c["eventId"] for c in changes}) == 10
    assert await replicas.sap_level() == before + 10
    for webhook_id in ids:
        assert (
            await replicas.sap_documents(movement_reference("wms-main", webhook_id, SAP_LIMITS))
            == 1
        )
    with pytest.raises(TimeoutError):  # and no event arrives twice
        await next_change(subscriber_on_b, seconds=1.5)
