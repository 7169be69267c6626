"""TrytonAdapter's stock adjustments and change-capture reads against a real trytond.

Each test writes, so each gets its own copy of the demo database. What Tryton holds is checked
through the sandbox's own JSON-RPC client, not through the adapter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from erp_sandbox.tryton import catalog
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft, StockAdjustment
from system_apis.contracts.errors import InsufficientStock, NotFound, ValidationRejected
from system_apis.contracts.models import InvoiceStatus, OrderStatus
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    SalesOrderFilter,
)
from system_apis.tryton import TrytonAdapter
from tests.integration.tryton.tryton_support import make_adapter

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)
SKU = "US-1014"
SHIPMENT = "stock.shipment.internal"


@pytest.fixture
async def adapter(tryton_fresh: Any) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton_fresh)
    yield adapter
    await adapter.aclose()


@pytest.fixture
def rpc(tryton_fresh: Any) -> Any:
    with tryton_fresh.rpc() as rpc:
        yield rpc


def adjustment(quantity: str, reference: str, **extra: Any) -> StockAdjustment:
    return StockAdjustment(
        sku=extra.pop("sku", SKU),
        location=extra.pop("location", "WH/STO"),
        quantity=Decimal(quantity),
        reference=reference,
        **extra,
    )


def shipments(rpc: Any, reference: str) -> list[dict[str, Any]]:
    return list(rpc.search_read(SHIPMENT, [("reference", "=", reference)], ["state"]))


async def test_receipt_and_issue_post_once_per_reference(adapter: TrytonAdapter, rpc: Any) -> None:
    assert Capability.ADJUST_STOCK in adapter.capabilities
    before = rpc.stock(SKU)

    received = await adapter.adjust_stock(adjustment("5", "ADJ-R1", reason="found in aisle 3"))
    assert received.quantity.value == before + 5
    assert (received.sku, received.location) == (SKU, "WH/STO")
    assert rpc.stock(SKU) == before + 5
    assert [s["state"] for s in shipments(rpc, "ADJ-R1")] == ["done"]

    again = await adapter.adjust_stock(adjustment("5", "ADJ-R1"))
    assert again.quantity.value == before + 5
    assert rpc.stock(SKU) == before + 5
    assert len(shipments(rpc, "ADJ-R1")) == 1

    issued = await adapter.adjust_stock(adjustment("-3", "ADJ-I1", unit="u"))
    assert issued.quantity.value == before + 2
    assert rpc.stock(SKU) == before + 2
    assert rpc.stock(SKU, "STO") == before + 2


async def test_issue_beyond_stock_is_refused_and_leaves_nothing(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    code = catalog.LOW_STOCK_CODES[0]
    before = rpc.stock(code)
    with pytest.raises(InsufficientStock, match=code) as caught:
        await adapter.adjust_stock(adjustment(str(-(before + 1)), "ADJ-SHORT", sku=code))
    assert caught.value.connection == "TRY"
    assert rpc.stock(code) == before
    assert shipments(rpc, "ADJ-SHORT") == []
    # The reference stays free: once stock has arrived the same issue posts.
    await adapter.adjust_stock(adjustment("1", "ADJ-ARRIVED", sku=code))
    level = await adapter.adjust_stock(adjustment(str(-(before + 1)), "ADJ-SHORT", sku=code))
    assert level.quantity.value == 0
    assert rpc.stock(code) == 0


async def test_unknown_product_location_or_unit_changes_nothing(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    count = rpc.search_count(SHIPMENT, [])
    with pytest.raises(NotFound, match="NO-SUCH"):
        await adapter.adjust_stock(adjustment("1", "ADJ-X1", sku="NO-SUCH"))
    with pytest.raises(NotFound, match="XX/YY"):
        await adapter.adjust_stock(adjustment("1", "ADJ-X2", location="XX/YY"))
    with pytest.raises(ValidationRejected, match="kg"):
        await adapter.adjust_stock(adjustment("1", "ADJ-X3", unit="kg"))
    assert rpc.search_count(SHIPMENT, []) == count


async def test_changed_since_reads_what_changed_oldest_first(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    start = dt.datetime.now(dt.UTC)
    assert (await adapter.list_sales_orders(SalesOrderFilter(changed_since=start), ALL)).total == 0
    assert (await adapter.list_invoices(InvoiceFilter(changed_since=start), ALL)).total == 0
    assert (await adapter.list_inventory(InventoryFilter(changed_since=start), ALL)).total == 0

    (customer,) = (
        await adapter.list_customers(CustomerFilter(name_contains="Hudson Office"), ALL)
    ).items
    first = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            lines=(OrderLineDraft(sku=SKU, quantity=Decimal(2)),),
        )
    )
    second = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            lines=(OrderLineDraft(sku="US-1016", quantity=Decimal(1)),),
        )
    )
    changed = await adapter.list_sales_orders(SalesOrderFilter(changed_since=start), ALL)
    assert [o.id for o in changed.items] == [first.id, second.id]
    assert all(o.changed_at is not None and o.changed_at >= start for o in changed.items)

    middle = dt.datetime.now(dt.UTC)
    delivery = await adapter.create_delivery(first.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(first.native_id)

    orders = await adapter.list_sales_orders(SalesOrderFilter(changed_since=middle), ALL)
    assert [(o.id, o.status) for o in orders.items] == [(first.id, OrderStatus.INVOICED)]
    paged = await adapter.list_sales_orders(
        SalesOrderFilter(changed_since=start), PageRequest(offset=1, limit=1)
    )
    assert ([o.id for o in paged.items], paged.total) == ([first.id], 2)

    invoices = await adapter.list_invoices(InvoiceFilter(changed_since=middle), ALL)
    assert [(i.id, i.status) for i in invoices.items] == [(invoice.id, InvoiceStatus.POSTED)]
    assert invoices.items[0].changed_at is not None

    levels = await adapter.list_inventory(InventoryFilter(changed_since=middle), ALL)
    assert [(lv.sku, lv.location, lv.quantity.value) for lv in levels.items] == [
        (SKU, "WH/STO", rpc.stock(SKU))
    ]
    assert levels.items[0].changed_at is not None
    assert levels.items[0].changed_at >= middle

    later = dt.datetime.now(dt.UTC)
    await adapter.adjust_stock(adjustment("4", "ADJ-C1", sku="US-1016"))
    levels = await adapter.list_inventory(InventoryFilter(changed_since=later), ALL)
    assert [(lv.sku, lv.quantity.value) for lv in levels.items] == [
        ("US-1016", rpc.stock("US-1016"))
    ]
    only = await adapter.list_inventory(
        InventoryFilter(changed_since=middle, skus=["US-1016"]), ALL
    )
    assert [lv.sku for lv in only.items] == ["US-1016"]


async def test_concurrent_calls_with_one_reference_move_the_stock_once(
    tryton_fresh: Any, rpc: Any
) -> None:
    before = rpc.stock(SKU)
    adapters = [make_adapter(tryton_fresh) for _ in range(3)]
    try:
        levels = await asyncio.gather(
            *(a.adjust_stock(adjustment("7", "ADJ-RACE")) for a in adapters)
        )
    finally:
        for a in adapters:
            await a.aclose()
    assert rpc.stock(SKU) == before + 7
    assert [s["state"] for s in shipments(rpc, "ADJ-RACE")] == ["done"]
    assert {level.sku for level in levels} == {SKU}
