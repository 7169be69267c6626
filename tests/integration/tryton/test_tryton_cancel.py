"""Cancelling a stuck order on a real Tryton: its reserved stock is free again, the sale closed.

In the demo data 79 of the 85 Bicycle Helmets (US-1025) are free (the sale HIST-05 holds 6).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import CancelRefusal, InsufficientStock, NotCancellable
from system_apis.contracts.models import OrderStatus
from system_apis.contracts.queries import CustomerFilter, PageRequest, SalesOrderFilter
from tests.integration.tryton.tryton_support import make_adapter

pytestmark = pytest.mark.integration


def helmets(customer: str, quantity: int, reference: str) -> SalesOrderDraft:
    return SalesOrderDraft(
        customer_native_id=customer,
        external_reference=reference,
        lines=(OrderLineDraft(sku="US-1025", quantity=Decimal(quantity), unit="u"),),
    )


async def test_a_stuck_order_is_closed_and_frees_what_it_reserved(tryton_fresh: Any) -> None:
    adapter = make_adapter(tryton_fresh)
    (customer,) = (
        await adapter.list_customers(CustomerFilter(name_contains="Lone Star"), PageRequest())
    ).items
    with tryton_fresh.rpc() as rpc:
        order = await adapter.create_sales_order(helmets(customer.native_id, 79, "GW-STUCK-1"))
        delivery = await adapter.create_delivery(order.native_id)
        rpc.model("stock.shipment.out", "assign_try", [int(delivery.native_id)])
        (shipment,) = rpc.search_read(
            "stock.shipment.out", [("id", "=", int(delivery.native_id))], ["state"]
        )
        assert shipment["state"] == "assigned"  # the 79 helmets are reserved for this order
        with pytest.raises(InsufficientStock):
            await adapter.create_sales_order(helmets(customer.native_id, 1, "GW-STUCK-2"))

        cancelled = await adapter.cancel_order(order.native_id, "customer withdrew")

        assert cancelled.status is OrderStatus.CANCELLED
        (sale,) = rpc.search_read(
            "sale.sale",
            [("id", "=", int(order.native_id))],
            ["state", "shipment_state", "invoice_state", "comment", "moves.state"],
        )
        assert (sale["state"], sale["shipment_state"], sale["invoice_state"]) == (
            "done",
            "none",
            "none",
        )
        assert "customer withdrew" in sale["comment"]
        assert {move["state"] for move in sale["moves."]} == {"cancelled"}
        (shipment,) = rpc.search_read(
            "stock.shipment.out", [("id", "=", int(delivery.native_id))], ["state"]
        )
        assert shipment["state"] == "cancelled"
        assert rpc.stock("US-1025") == 85  # nothing left the warehouse
        # What the order held is free again: another order may take it.
        again = await adapter.create_sales_order(helmets(customer.native_id, 79, "GW-STUCK-3"))
        assert again.status is OrderStatus.ORDERED

    found = await adapter.list_sales_orders(
        SalesOrderFilter(status=OrderStatus.CANCELLED), PageRequest(limit=50)
    )
    assert [o.id for o in found.items] == [order.id]
    ordered = await adapter.list_sales_orders(
        SalesOrderFilter(status=OrderStatus.ORDERED, native_ids=[order.native_id]), PageRequest()
    )
    assert ordered.items == ()
    assert (await adapter.cancel_order(order.native_id)).changed_at == cancelled.changed_at
    await adapter.aclose()


async def test_a_shipped_order_is_refused_and_nothing_changes(tryton_fresh: Any) -> None:
    adapter = make_adapter(tryton_fresh)
    (customer,) = (
        await adapter.list_customers(CustomerFilter(name_contains="Lone Star"), PageRequest())
    ).items
    order = await adapter.create_sales_order(helmets(customer.native_id, 2, "GW-SHIPPED-1"))
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    before = await adapter.get_sales_order(order.native_id)

    with pytest.raises(NotCancellable, match="shipped") as refused:
        await adapter.cancel_order(order.native_id, "too late")

    assert refused.value.refusal is CancelRefusal.SHIPPED
    after = await adapter.get_sales_order(order.native_id)
    assert (after.status, after.changed_at) == (before.status, before.changed_at)
    with tryton_fresh.rpc() as rpc:
        (sale,) = rpc.search_read("sale.sale", [("id", "=", int(order.native_id))], ["comment"])
        assert not sale["comment"]
    await adapter.aclose()
