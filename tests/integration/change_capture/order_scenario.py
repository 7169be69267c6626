"""One scenario for every ERP's change capture: an order placed, shipped, invoiced (and paid,
where the sandbox can settle an invoice) straight in the ERP becomes its order, invoice and
stock events, each once, also after the poller restarts."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.tables import outbox
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest

MarkPaid = Callable[[str], Awaitable[None]]
"""Settles an invoice (by native id) in the ERP, as a customer payment would."""


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    """Every event in the outbox: its type and data, in order."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


async def order_is_staged_once(
    engine: AsyncEngine,
    connection: str,
    adapter: ErpAdapter,
    *,
    mark_paid: MarkPaid | None = None,
    external_reference: str | None = None,
) -> None:
    def poller() -> ChangeCapturePoller:
        return ChangeCapturePoller(
            connection, adapter, SqlWatermarkStore(engine), ChangeCapturePolicy(enabled=True)
        )

    capture = poller()
    assert sum(r.staged for r in await capture.poll_once()) == 0

    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    levels = await adapter.list_inventory(InventoryFilter(), PageRequest(limit=1000))
    level = next(lv for lv in levels.items if lv.quantity.value >= 5)
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=external_reference,
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(2), location=level.location),),
        )
    )
    await capture.poll_once()
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    await capture.poll_once()
    invoice = await adapter.create_invoice(order.native_id)
    if mark_paid is not None:
        await capture.poll_once()
        await mark_paid(invoice.native_id)
    reports = await capture.poll_once()
    assert [r.error for r in reports] == [None, None, None]

    restarted = poller()
    assert sum(r.staged for r in await restarted.poll_once()) == 0

    events = await staged(engine)
    statuses = [d["status"] for kind, d in events if d.get("order_id") == order.id]
    assert statuses == ["ordered", "shipped", "invoiced"]
    invoices = [(kind, d["status"]) for kind, d in events if d.get("invoice_id") == invoice.id]
    paid = [("invoice.status_changed", "paid")] if mark_paid is not None else []
    assert invoices == [("invoice.issued", "posted"), *paid]
    stock = [
        d["quantity"]
        for kind, d in events
        if kind == "inventory.changed" and (d["sku"], d["location"]) == (level.sku, level.location)
    ]
    assert stock == [str(level.quantity.value - 2)]
