"""The change-capture poller against a real trytond: a sale confirmed, shipped and invoiced
and an invoice paid in Tryton (over its JSON-RPC) each become their events, once, also
after a restart of the poller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.change_capture.config import ChangeCapturePolicy
from process_apis.change_capture.poller import ChangeCapturePoller
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.persistence.tables import outbox
from system_apis.tryton import TrytonAdapter
from tests.integration.tryton.tryton_support import CONNECTION, make_adapter

pytestmark = pytest.mark.integration


@pytest.fixture
async def adapter(tryton_fresh: Any) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton_fresh)
    yield adapter
    await adapter.aclose()


@pytest.fixture
def rpc(tryton_fresh: Any) -> Any:
    with tryton_fresh.rpc() as rpc:
        yield rpc


@pytest.fixture
def engine(sqlite_state_engine: AsyncEngine) -> AsyncEngine:
    return sqlite_state_engine


def capture(adapter: TrytonAdapter, engine: AsyncEngine) -> ChangeCapturePoller:
    return ChangeCapturePoller(
        CONNECTION, adapter, SqlWatermarkStore(engine), ChangeCapturePolicy(enabled=True)
    )


async def staged(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox).order_by(outbox.c.seq))).all()
    return [(row.type, json.loads(row.data)) for row in rows]


def pay(rpc: Any, invoice_id: int) -> None:
    """Tryton's pay wizard, as its client runs it: the whole amount in cash."""
    context = {
        **rpc.context,
        "active_id": invoice_id,
        "active_ids": [invoice_id],
        "active_model": "account.invoice",
    }
    session, start, _ = rpc.call("wizard.account.invoice.pay.create", [rpc.context])
    view = rpc.call("wizard.account.invoice.pay.execute", [session, {}, start, context])
    values = {k: v for k, v in view["view"]["defaults"].items() if not k.endswith(".")}
    (method,) = rpc.search_read("account.invoice.payment.method", [("name", "=", "Cash")], ["id"])
    values["payment_method"] = method["id"]
    rpc.call("wizard.account.invoice.pay.execute", [session, {start: values}, "choice", context])
    rpc.call("wizard.account.invoice.pay.delete", [session, rpc.context])


async def test_sale_and_invoice_changes_in_tryton_are_staged_once(
    adapter: TrytonAdapter, rpc: Any, engine: AsyncEngine
) -> None:
    poller = capture(adapter, engine)
    assert sum(r.staged for r in await poller.poll_once()) == 0

    # A quotation from the demo history is confirmed and processed in Tryton.
    quotation, *_ = rpc.search_read("sale.sale", [("state", "=", "quotation")], ["id"])
    sale = quotation["id"]
    rpc.model("sale.sale", "confirm", [sale])
    rpc.model("sale.sale", "process", [sale])
    reports = await poller.poll_once()
    assert [r.error for r in reports] == [None, None, None]
    order_id = f"{CONNECTION}:{sale}"
    assert await staged(engine) == [
        (
            "order.status_changed",
            {
                "order_id": order_id,
                "number": rpc.search_read("sale.sale", [("id", "=", sale)], ["number"])[0][
                    "number"
                ],
                "status": "ordered",
                "connection": CONNECTION,
                "delivery_status": "open",
                "billing_status": "not_relevant",
            },
        )
    ]

    delivery = await adapter.create_delivery(str(sale))
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(str(sale))
    await poller.poll_once()
    pay(rpc, int(invoice.native_id))
    await poller.poll_once()
    await poller.poll_once()

    # A new process on the same state database finds nothing left to stage.
    restarted = capture(adapter, engine)
    assert sum(r.staged for r in await restarted.poll_once()) == 0

    events = await staged(engine)
    orders = [d["status"] for kind, d in events if kind == "order.status_changed"]
    assert orders == ["ordered", "invoiced"]
    invoices = [(kind, d["invoice_id"], d["status"]) for kind, d in events if "invoice" in kind]
    assert invoices == [
        ("invoice.issued", invoice.id, "posted"),
        ("invoice.status_changed", invoice.id, "paid"),
    ]
    levels = {d["sku"]: d["quantity"] for kind, d in events if kind == "inventory.changed"}
    shipped = {line.sku for line in delivery.lines}
    assert set(levels) == shipped
    for sku in shipped:
        assert levels[sku] == str(rpc.stock(sku))
