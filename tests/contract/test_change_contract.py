"""What every ErpAdapter promises about stock adjustments and change capture.

``adjust_stock`` posts once per reference; ``changed_since`` lists the records changed at or
after an instant, oldest change first. The instants are whole seconds, waited for, because an
ERP may stamp changes to the second (SAP's material documents do).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft, StockAdjustment
from system_apis.contracts.models import InventoryLevel
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.contract.conftest import Subject

ALL = PageRequest(limit=1000)


async def next_second() -> dt.datetime:
    """Waits for the next whole second of UTC and answers it."""
    now = dt.datetime.now(dt.UTC)
    await asyncio.sleep(1 - now.microsecond / 1_000_000 + 0.01)
    return now.replace(microsecond=0) + dt.timedelta(seconds=1)


def reference() -> str:
    return f"contract-{uuid.uuid4()}"


async def stocked_level(subject: Subject, minimum: Decimal = Decimal(3)) -> InventoryLevel:
    """A level of a sellable product holding at least ``minimum`` (at a storage location)."""
    products = (await subject.adapter.list_products(ProductFilter(), PageRequest(limit=50))).items
    for product in products:
        levels = await subject.adapter.list_inventory(InventoryFilter(skus=[product.sku]), ALL)
        for level in levels.items:
            if level.quantity.value >= minimum and subject.storage(level.location):
                return level
    raise AssertionError("no product with stock at a storage location")


async def move_stock(subject: Subject, level: InventoryLevel) -> None:
    """Changes the stock of ``level``: an adjustment, or where the ERP takes none through the
    port, a sale of one unit shipped from there."""
    adapter = subject.adapter
    if Capability.ADJUST_STOCK in adapter.capabilities:
        await adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku, location=level.location, quantity=Decimal(2), reference=reference()
            )
        )
        return
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=f"GWmove-{uuid.uuid4().hex[:8]}",
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(1), location=level.location),),
        )
    )
    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)


async def adjustments_refused(subject: Subject) -> bool:
    """True (after checking the refusal) when the adapter takes no stock adjustments."""
    if Capability.ADJUST_STOCK in subject.adapter.capabilities:
        return False
    level = await stocked_level(subject)
    before = subject.stock(level.sku, level.location)
    with pytest.raises(errors.NotSupported):
        await subject.adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku, location=level.location, quantity=Decimal(1), reference=reference()
            )
        )
    assert subject.stock(level.sku, level.location) == before
    return True


async def test_adjust_stock_posts_once_per_reference(subject: Subject) -> None:
    adapter = subject.adapter
    if await adjustments_refused(subject):
        return
    level = await stocked_level(subject)
    before = subject.stock(level.sku, level.location)
    receipt = StockAdjustment(
        sku=level.sku, location=level.location, quantity=Decimal(3), reference=reference()
    )
    received = await adapter.adjust_stock(receipt)
    assert (received.sku, received.location) == (level.sku, level.location)
    assert received.quantity.value == before + 3
    assert subject.stock(level.sku, level.location) == before + 3

    repeated = await adapter.adjust_stock(receipt)
    assert repeated.quantity.value == before + 3
    assert subject.stock(level.sku, level.location) == before + 3

    issued = await adapter.adjust_stock(
        StockAdjustment(
            sku=level.sku,
            location=level.location,
            quantity=Decimal(-2),
            reference=reference(),
            reason="damaged",
        )
    )
    assert issued.quantity.value == before + 1
    assert subject.stock(level.sku, level.location) == before + 1


async def test_an_issue_beyond_stock_is_refused_and_posts_nothing(subject: Subject) -> None:
    adapter = subject.adapter
    if await adjustments_refused(subject):
        return
    level = await stocked_level(subject)
    before = subject.stock(level.sku, level.location)
    ref = reference()
    with pytest.raises(errors.InsufficientStock):
        await adapter.adjust_stock(
            StockAdjustment(
                sku=level.sku, location=level.location, quantity=-(before + 1), reference=ref
            )
        )
    assert subject.stock(level.sku, level.location) == before
    # The refused movement left nothing behind: its reference can still be posted.
    posted = await adapter.adjust_stock(
        StockAdjustment(sku=level.sku, location=level.location, quantity=Decimal(-1), reference=ref)
    )
    assert posted.quantity.value == before - 1
    assert subject.stock(level.sku, level.location) == before - 1


async def test_adjusting_an_unknown_product_is_not_found(subject: Subject) -> None:
    if await adjustments_refused(subject):
        return
    level = await stocked_level(subject)
    with pytest.raises(errors.NotFound):
        await subject.adapter.adjust_stock(
            StockAdjustment(
                sku="NO-SUCH-SKU",
                location=level.location,
                quantity=Decimal(1),
                reference=reference(),
            )
        )


async def test_inventory_changed_since(subject: Subject) -> None:
    adapter = subject.adapter
    level = await stocked_level(subject)
    since = await next_second()
    assert (await adapter.list_inventory(InventoryFilter(changed_since=since), ALL)).total == 0
    await move_stock(subject, level)
    changed = await adapter.list_inventory(InventoryFilter(changed_since=since), ALL)
    assert [(lv.sku, lv.location) for lv in changed.items] == [(level.sku, level.location)]
    assert changed.items[0].quantity.value == subject.stock(level.sku, level.location)
    assert changed.items[0].changed_at is not None
    assert changed.items[0].changed_at >= since
    later = await next_second()
    assert (await adapter.list_inventory(InventoryFilter(changed_since=later), ALL)).total == 0


async def test_orders_and_invoices_changed_since(subject: Subject) -> None:
    adapter = subject.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    level = await stocked_level(subject, Decimal(2))

    def draft() -> SalesOrderDraft:
        return SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=f"GWcc-{uuid.uuid4().hex[:8]}",
            lines=(OrderLineDraft(sku=level.sku, quantity=Decimal(1), location=level.location),),
        )

    since = await next_second()
    assert (await adapter.list_sales_orders(SalesOrderFilter(changed_since=since), ALL)).total == 0
    first = await adapter.create_sales_order(draft())
    second = await adapter.create_sales_order(draft())
    changed = await adapter.list_sales_orders(SalesOrderFilter(changed_since=since), ALL)
    assert [o.id for o in changed.items] == [first.id, second.id]
    stamps = [o.changed_at for o in changed.items]
    assert all(stamp is not None and stamp >= since for stamp in stamps)
    assert stamps == sorted(stamps)  # type: ignore[type-var]

    middle = await next_second()
    delivery = await adapter.create_delivery(first.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(first.native_id)
    changed = await adapter.list_sales_orders(SalesOrderFilter(changed_since=middle), ALL)
    assert [o.id for o in changed.items] == [first.id]
    invoices = await adapter.list_invoices(InvoiceFilter(changed_since=middle), ALL)
    assert [i.id for i in invoices.items] == [invoice.id]
    assert invoices.items[0].changed_at is not None
    assert invoices.items[0].changed_at >= middle
    later = await next_second()
    assert (await adapter.list_invoices(InvoiceFilter(changed_since=later), ALL)).total == 0
    assert (await adapter.list_sales_orders(SalesOrderFilter(changed_since=later), ALL)).total == 0
