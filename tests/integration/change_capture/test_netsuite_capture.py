"""The change-capture poller against the NetSuite sandbox (SuiteQL over
httpx.ASGITransport) and a real state database: an order placed, shipped, billed and paid in
NetSuite becomes its events, each once, also after a restart of the poller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.netsuite import SandboxSettings, create_app
from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest
from system_apis.netsuite.adapter import NetSuiteAdapter
from tests.support.netsuite import BASE_URL, netsuite_adapter

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)
ADMIN = (SandboxSettings().token_id, SandboxSettings().token_secret)


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Any, NetSuiteAdapter]]:
    app = create_app()
    async with app.router.lifespan_context(app):
        adapter = netsuite_adapter(httpx.ASGITransport(app=app))
        yield app, adapter
        await adapter.aclose()


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def mark_paid(app: Any, invoice: str) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, auth=ADMIN
    ) as client:
        response = await client.post(f"/sandbox/invoices/{invoice}/paid")
        response.raise_for_status()


async def test_an_order_through_to_payment_is_staged_once(
    state_engine: AsyncEngine, sandbox: tuple[Any, NetSuiteAdapter]
) -> None:
    app, adapter = sandbox

    def poller() -> ChangeCapturePoller:
        return ChangeCapturePoller(
            "NS01", adapter, SqlWatermarkStore(state_engine), ChangeCapturePolicy(enabled=True)
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
