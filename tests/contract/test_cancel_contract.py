"""Cancelling an order, the same way on every ERP that offers it.

An adapter without ``Capability.CANCEL_ORDERS`` must say so with NotSupported.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import OrderStatus, SalesOrder
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.contract.conftest import Subject


def _cancels(subject: Subject) -> bool:
    return Capability.CANCEL_ORDERS in subject.adapter.capabilities


async def _place(subject: Subject, quantity: str = "1") -> SalesOrder:
    adapter = subject.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    product = (await adapter.list_products(ProductFilter(), PageRequest(limit=1))).items[0]
    levels = await adapter.list_inventory(
        InventoryFilter(skus=[product.sku]), PageRequest(limit=50)
    )
    level = max(levels.items, key=lambda lvl: lvl.quantity.value)
    return await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=f"GWcancel-{uuid.uuid4().hex[:12]}",
            lines=(
                OrderLineDraft(
                    sku=product.sku,
                    quantity=Decimal(quantity),
                    unit=product.base_unit,
                    location=level.location,
                ),
            ),
        )
    )


async def test_an_adapter_without_the_capability_says_so(subject: Subject) -> None:
    if _cancels(subject):
        pytest.skip("this adapter cancels orders")
    with pytest.raises(errors.NotSupported):
        await subject.adapter.cancel_order("1")


async def test_an_open_order_is_cancelled_and_a_second_cancel_writes_nothing(
    subject: Subject,
) -> None:
    if not _cancels(subject):
        pytest.skip("this adapter does not cancel orders")
    adapter = subject.adapter
    order = await _place(subject)
    assert order.status is OrderStatus.ORDERED

    cancelled = await adapter.cancel_order(order.native_id, "customer withdrew the order")

    assert (cancelled.id, cancelled.status) == (order.id, OrderStatus.CANCELLED)
    read = await adapter.get_sales_order(order.native_id)
    assert read.status is OrderStatus.CANCELLED
    found = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference=order.external_reference), PageRequest(limit=5)
    )
    assert [(o.id, o.status) for o in found.items] == [(order.id, OrderStatus.CANCELLED)]
    by_status = await adapter.list_sales_orders(
        SalesOrderFilter(native_ids=[order.native_id], status=OrderStatus.CANCELLED),
        PageRequest(limit=5),
    )
    assert [o.id for o in by_status.items] == [order.id]
    still_open = await adapter.list_sales_orders(
        SalesOrderFilter(native_ids=[order.native_id], status=OrderStatus.ORDERED),
        PageRequest(limit=5),
    )
    assert still_open.items == ()

    again = await adapter.cancel_order(order.native_id, "customer withdrew the order")
    assert (again.id, again.status) == (order.id, OrderStatus.CANCELLED)
    assert (await adapter.get_sales_order(order.native_id)).changed_at == read.changed_at


async def test_an_order_whose_goods_left_is_not_cancelled(subject: Subject) -> None:
    if not _cancels(subject):
        pytest.skip("this adapter does not cancel orders")
    adapter = subject.adapter
    order = await _place(subject)
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    shipped = await adapter.get_sales_order(order.native_id)

    with pytest.raises(errors.NotCancellable) as refused:
        await adapter.cancel_order(order.native_id)

    assert refused.value.refusal is errors.CancelRefusal.SHIPPED
    after = await adapter.get_sales_order(order.native_id)
    assert (after.status, after.delivery_status) == (shipped.status, shipped.delivery_status)
    assert after.status is OrderStatus.SHIPPED


async def test_an_order_with_a_delivery_in_the_warehouse_closes_with_it_or_not_at_all(
    subject: Subject,
) -> None:
    """An ERP drops the waiting delivery with the order (no stock stays held for it), or
    refuses as IN_DELIVERY and changes nothing (SAP: the delivery must be deleted first)."""
    if not _cancels(subject):
        pytest.skip("this adapter does not cancel orders")
    adapter = subject.adapter
    order = await _place(subject)
    delivery = await adapter.create_delivery(order.native_id)
    before = await adapter.get_sales_order(order.native_id)
    mine = DeliveryFilter(order_native_id=order.native_id)

    outcome: SalesOrder | errors.NotCancellable
    try:
        outcome = await adapter.cancel_order(order.native_id)
    except errors.NotCancellable as refused:
        outcome = refused
    if isinstance(outcome, errors.NotCancellable):
        assert outcome.refusal is errors.CancelRefusal.IN_DELIVERY
        after = await adapter.get_sales_order(order.native_id)
        assert (after.status, after.changed_at) == (before.status, before.changed_at)
        kept = await adapter.list_deliveries(mine, PageRequest(limit=10))
        assert [d.id for d in kept.items] == [delivery.id]
        return

    assert outcome.status is OrderStatus.CANCELLED
    left = await adapter.list_deliveries(mine, PageRequest(limit=10))
    assert left.items == ()
    with pytest.raises((errors.NotFound, errors.ValidationRejected)):
        await adapter.post_goods_issue(delivery.native_id)


async def test_an_invoiced_order_is_not_cancelled(subject: Subject) -> None:
    if not _cancels(subject):
        pytest.skip("this adapter does not cancel orders")
    adapter = subject.adapter
    order = await _place(subject)
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    await adapter.create_invoice(order.native_id)

    with pytest.raises(errors.NotCancellable) as refused:
        await adapter.cancel_order(order.native_id)

    assert refused.value.refusal is errors.CancelRefusal.INVOICED
    assert (await adapter.get_sales_order(order.native_id)).status is OrderStatus.INVOICED


async def test_an_unknown_order_is_not_found(subject: Subject) -> None:
    if not _cancels(subject):
        pytest.skip("this adapter does not cancel orders")
    with pytest.raises(errors.NotFound):
        await subject.adapter.cancel_order("999999")
