"""The change-capture poller against the Business Central sandbox and a real state database:
an order placed, shipped and invoiced in BC becomes its order, invoice and stock events, each
once, also after a restart of the poller."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from erp_sandbox.business_central import SandboxSettings, create_app
from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.tables import outbox
from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.business_central.client import BcClient
from system_apis.business_central.connector import EMBEDDED_TENANT
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)


@pytest.fixture
async def adapter() -> AsyncIterator[BusinessCentralAdapter]:
    app = create_app(SandboxSettings())
    client = BcClient(
        api_url="http://bc.test",
        login_url="http://bc.test",
        tenant=EMBEDDED_TENANT,
        environment="production",
        company="CRONUS International Ltd.",
        client_id="gateway",
        client_secret="sandbox",
        transport=httpx.ASGITransport(app=app),
    )
    bc = BusinessCentralAdapter("BC01", client)
    yield bc
    await bc.aclose()


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def test_an_order_through_to_invoice_is_staged_once(
    state_engine: AsyncEngine, adapter: BusinessCentralAdapter
) -> None:
    def poller() -> ChangeCapturePoller:
        return ChangeCapturePoller(
            "BC01", adapter, SqlWatermarkStore(state_engine), ChangeCapturePolicy(enabled=True)
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
            external_reference="GWcapture-0001",
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(2), location=level.location),),
        )
    )
    await capture.poll_once()
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    await capture.poll_once()
    invoice = await adapter.create_invoice(order.native_id)
    reports = await capture.poll_once()
    assert [r.error for r in reports] == [None, None, None]

    restarted = poller()
    assert sum(r.staged for r in await restarted.poll_once()) == 0

    events = await staged(state_engine)
    statuses = [d["status"] for kind, d in events if d.get("order_id") == order.id]
    assert statuses == ["ordered", "shipped", "invoiced"]
    invoices = [(kind, d["status"]) for kind, d in events if d.get("invoice_id") == invoice.id]
    assert invoices == [("invoice.issued", "posted")]
    stock = [
        d["quantity"]
        for kind, d in events
        if kind == "inventory.changed" and (d["sku"], d["location"]) == (level.sku, level.location)
    ]
    assert stock == [str(level.quantity.value - 2)]
