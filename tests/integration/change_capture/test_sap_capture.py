"""The change-capture poller against the SAP sandbox (OData over httpx.ASGITransport) and a
real state database: an order placed, shipped, billed and paid in SAP becomes its events,
each once, also after a restart of the poller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(limit=1000)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[tuple[Any, SapAdapter]]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            BASE_URL,
            username=USER,
            password=PASSWORD,
            sap_client="100",
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("EU01", client)
        yield app, adapter
        await adapter.aclose()


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def mark_paid(app: Any, document: str) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, auth=(USER, PASSWORD)
    ) as client:
        response = await client.post(f"/sandbox/billing/{document}/paid")
        response.raise_for_status()


async def test_an_order_through_to_payment_is_staged_once(
    state_engine: AsyncEngine, sandbox: tuple[Any, SapAdapter]
) -> None:
    app, adapter = sandbox

    def poller() -> ChangeCapturePoller:
        return ChangeCapturePoller(
            "EU01", adapter, SqlWatermarkStore(state_engine), ChangeCapturePolicy(enabled=True)
        )

    capture = poller()
    assert sum(r.staged for r in await capture.poll_once()) == 0

    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    level = next(
        lv
        for lv in (await adapter.list_inventory(InventoryFilter(), ALL)).items
        if lv.quantity.value >= 5
    )
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(2), location=level.location),),
        )
    )
    await capture.poll_once()
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    await capture.poll_once()
    invoice = await adapter.create_invoice(order.native_id)
    await capture.poll_once()
    await mark_paid(app, invoice.native_id)
    reports = await capture.poll_once()
    assert [r.error for r in reports] == [None, None, None]

    restarted = poller()
    assert sum(r.staged for r in await restarted.poll_once()) == 0

    events = await staged(state_engine)
    statuses = [d["status"] for kind, d in events if d.get("order_id") == order.id]
    assert statuses == ["ordered", "shipped", "invoiced"]
    invoices = [(kind, d["status"]) for kind, d in events if d.get("invoice_id") == invoice.id]
    assert invoices == [("invoice.issued", "posted"), ("invoice.status_changed", "paid")]
    stock = [
        d["quantity"]
        for kind, d in events
        if kind == "inventory.changed" and (d["sku"], d["location"]) == (level.sku, level.location)
    ]
    assert stock == [str(level.quantity.value - 2)]
