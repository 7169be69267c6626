"""The inbound endpoint and processor over a real state database, with an ERP in memory."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.routing import Route

from experience_api.inbound.config import InboundSettings, InboundSourceSettings
from experience_api.inbound.endpoint import INBOUND_WEBHOOKS, InboundWebhookEndpoint
from process_apis.connections import Connections
from process_apis.inbound.intake import InboundIntake
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.processor import InboundProcessor, RetryPolicy
from process_apis.inbound.registry import InboundTypes
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.inventory_sync.flow import InventorySync
from process_apis.invoice_status.flow import InvoiceStatusSync
from process_apis.persistence.inbound_tables import inbound_events
from process_apis.persistence.tables import outbox
from process_apis.quarantine.sql_store import SqlQuarantineStore
from tests.fakes.memory_erp import MemoryErp

WMS_SECRET = "whsec_" + base64.b64encode(b"wms-secret-for-tests-0123456789").decode()
ERP_SECRET = "whsec_" + base64.b64encode(b"erp-secret-for-tests-0123456789").decode()
LOC = "1010/0001"
NO_WAIT = RetryPolicy(max_attempts=3, base_delay=dt.timedelta(0), lease=dt.timedelta(seconds=30))


def signed_headers(
    secret: str, webhook_id: str, body: str, timestamp: dt.datetime | None = None
) -> dict[str, str]:
    when = timestamp or dt.datetime.now(dt.UTC)
    return {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, when, body),
    }


@dataclass
class Harness:
    engine: AsyncEngine
    erp: MemoryErp
    store: SqlInboundStore
    quarantine: SqlQuarantineStore
    processor: InboundProcessor
    client: httpx.AsyncClient
    types: InboundTypes
    notified: list[int] = field(default_factory=list)

    async def send(
        self,
        envelope: Any,
        *,
        source: str = "wms-main",
        webhook_id: str = "msg_1",
        secret: str = WMS_SECRET,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = envelope if isinstance(envelope, str) else json.dumps(envelope)
        sent = signed_headers(secret, webhook_id, body) | (headers or {})
        return await self.client.post(f"/webhooks/inbound/{source}", content=body, headers=sent)

    async def stored(self) -> int:
        async with self.engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(inbound_events))).one()[0]
            )

    async def outbox_events(self) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
        return [
            {"id": r.event_id, "type": r.type, "aggregate": r.aggregate, "data": json.loads(r.data)}
            for r in rows
        ]

    def another_processor(self, engine: AsyncEngine | None = None) -> InboundProcessor:
        return InboundProcessor(
            SqlInboundStore(engine or self.engine),
            self.types,
            SqlQuarantineStore(engine or self.engine),
            policy=NO_WAIT,
        )


def goods_received(sku: str = "TG11", quantity: str = "5") -> dict[str, Any]:
    return {
        "type": "wms.goods_received",
        "data": {"sku": sku, "location": LOC, "quantity": quantity},
    }


@pytest.fixture
async def harness(state_engine: AsyncEngine) -> AsyncIterator[Harness]:
    erp = MemoryErp()
    erp.add_product("TG11", "Trailer", "100", {LOC: "10"})
    connections = Connections({"EU01": erp})
    types = InboundTypes([InventorySync(connections), InvoiceStatusSync(connections)])
    store = SqlInboundStore(state_engine)
    quarantine = SqlQuarantineStore(state_engine)
    notified: list[int] = []
    processor = InboundProcessor(
        store, types, quarantine, policy=NO_WAIT, on_staged=lambda: notified.append(1)
    )
    settings = InboundSettings(
        max_body_bytes=4096,
        sources=[
            InboundSourceSettings(
                name="wms-main", kind="wms", secret=WMS_SECRET, connection="EU01"
            ),
            InboundSourceSettings(name="erp-push", kind="erp", secret=ERP_SECRET),
        ],
    )
    sources = {
        s.name: InboundSource(s.name, SourceKind(s.kind), s.connection) for s in settings.sources
    }
    intake = InboundIntake(store, types, sources, ["EU01"], on_stored=processor.notify)
    app = Starlette(
        routes=[Route(INBOUND_WEBHOOKS, InboundWebhookEndpoint(settings).handle, methods=["POST"])]
    )
    app.state.gateway = SimpleNamespace(services=SimpleNamespace(inbound=intake))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield Harness(state_engine, erp, store, quarantine, processor, client, types, notified)
