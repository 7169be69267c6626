"""Streams of whole lists page after keys: an order placed meanwhile is not read twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import SalesOrderFilter
from tests.fakes.memory_erp import MemoryErp


def _draft(reference: str) -> SalesOrderDraft:
    line = OrderLineDraft(sku="SKU-1", quantity=Decimal(1), location="WH/A")
    return SalesOrderDraft(customer_native_id="001", external_reference=reference, lines=(line,))


async def test_an_order_placed_while_a_stream_runs_is_not_streamed_twice() -> None:
    erp = MemoryErp("MEM")
    erp.add_customer("001", "Customer 1 GmbH")
    erp.add_product("SKU-1", "Product 1", "10.00", {"WH/A": "50"})
    before = [(await erp.create_sales_order(_draft(f"R{n}"))).native_id for n in range(7)]
    erp.stream_page = 3

    streamed: list[str] = []
    async for chunk in erp.stream_sales_orders(SalesOrderFilter()):
        streamed.extend(order.native_id for order in chunk)
        if len(streamed) == 3:  # newest first: lands before the stream's position
            await erp.create_sales_order(_draft("new"))

    assert streamed == before[::-1]


async def test_changes_still_stream_by_offset() -> None:
    erp = MemoryErp("MEM")
    erp.add_customer("001", "Customer 1 GmbH")
    erp.add_product("SKU-1", "Product 1", "10.00", {"WH/A": "50"})
    placed = [(await erp.create_sales_order(_draft(f"R{n}"))).native_id for n in range(4)]
    erp.stream_page = 3

    since = SalesOrderFilter(changed_since=erp.clock() - dt.timedelta(days=1))
    streamed = [o.native_id async for chunk in erp.stream_sales_orders(since) for o in chunk]
    assert sorted(streamed) == sorted(placed)
