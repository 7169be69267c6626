"""The composition root runs a change-capture loop for the embedded SAP sandbox, so a
change made in the sandbox (not through the gateway's flows) becomes an event by itself."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from experience_api.bootstrap import build_gateway
from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest

pytestmark = pytest.mark.integration


def test_capture_is_on_for_the_embedded_sandbox_only() -> None:
    embedded, remote = Settings(
        connections=[
            {"name": "EU01"},
            {"name": "EU02", "base_url": "https://s4.example.com"},
        ]
    ).connections
    assert embedded.capture_policy.enabled
    assert embedded.capture_policy.interval_seconds == 1.0
    assert not remote.capture_policy.enabled
    tryton = ConnectionSettings(
        name="US01",
        kind="tryton",
        base_url="http://tryton.example.com",
        database="prod",
        change_capture={"enabled": True, "interval_seconds": 15, "streams": ["invoices"]},
    )
    assert tryton.capture_policy.enabled
    assert [s.value for s in tryton.capture_policy.streams] == ["invoices"]


async def test_a_change_in_the_embedded_sandbox_becomes_an_event(tmp_path: Path) -> None:
    gateway = await build_gateway(Settings(data_dir=tmp_path))
    loop = asyncio.create_task(gateway.background["change-capture-EU01"]())
    try:
        adapter = gateway.services.connections.get("EU01")
        customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
        level = next(
            lv
            for lv in (await adapter.list_inventory(InventoryFilter(), PageRequest(limit=50))).items
            if lv.quantity.value >= 1
        )
        await asyncio.sleep(1.5)  # the loop's first poll sets where capture starts
        order = await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer.native_id,
                lines=(
                    OrderLineDraft(sku=level.sku, quantity=Decimal(1), location=level.location),
                ),
            )
        )
        found: list[dict[str, object]] = []
        for _ in range(50):
            async with gateway.engine.connect() as conn:
                rows = (await conn.execute(select(outbox))).all()
            found = [json.loads(r.data) for r in rows if r.type == "order.status_changed"]
            if found:
                break
            await asyncio.sleep(0.1)
        assert [(d["order_id"], d["status"]) for d in found] == [(order.id, "ordered")]
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        await gateway.aclose()
