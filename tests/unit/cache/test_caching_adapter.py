"""What the response cache answers, for how long, and what drops it: on the in-memory ERP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from process_apis.events.model import Event, EventType
from process_apis.read_cache import CacheInvalidation
from system_apis.caching import CachePolicy, CachingAdapter, RecordKind
from system_apis.contracts import errors
from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.models import CustomerDetail, Money, Product
from system_apis.contracts.people import EmployeeFilter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.unit.cache.support import GADGET, PAGE, PRODUCTS, WIDGET, cached, draft, seeded_erp


def quantity(page: Page[object]) -> Decimal:
    [level] = page.items
    return level.quantity.value  # type: ignore[attr-defined]


async def test_a_repeated_read_is_answered_without_the_erp() -> None:
    c = cached()
    first = await c.adapter.list_products(PRODUCTS, PAGE)
    second = await c.adapter.list_products(PRODUCTS, PAGE)

    assert second == first
    assert c.erp.calls["list_products"] == 1
    # Another page or filter is another read.
    await c.adapter.list_products(PRODUCTS, PageRequest(limit=1))
    await c.adapter.list_products(ProductFilter(skus=["TG12"]), PAGE)
    assert c.erp.calls["list_products"] == 3


async def test_a_page_after_a_key_is_a_read_of_its_own() -> None:
    c = cached()
    first = await c.adapter.list_products(PRODUCTS, PageRequest(limit=1))
    after = await c.adapter.list_products(PRODUCTS, PageRequest(limit=1, after=first.items[0].sku))

    assert after.items != first.items
    assert c.erp.calls["list_products"] == 2
    assert await c.adapter.list_products(PRODUCTS, PageRequest(limit=1, after=first.items[0].sku))
    assert c.erp.calls["list_products"] == 2


async def test_no_answer_is_served_older_than_its_kinds_ttl() -> None:
    c = cached(CachePolicy(inventory_ttl=10))
    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == 50
    c.erp.stock[("TG11", "1010")] = Decimal(7)  # changed in the ERP, unseen by the gateway

    c.clock.advance(10)
    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == 50
    c.clock.advance(0.5)
    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == 7
    assert c.erp.calls["list_inventory"] == 2


async def test_age_counts_from_when_the_erp_was_asked() -> None:
    c = cached(CachePolicy(products_ttl=5))
    slow_erp = c.erp
    answer = slow_erp.list_products

    async def slow(filter: ProductFilter, page: PageRequest) -> Page[Product]:
        c.clock.advance(4)  # the ERP takes four seconds to answer
        return await answer(filter, page)

    slow_erp.list_products = slow  # type: ignore[method-assign]
    await c.adapter.list_products(PRODUCTS, PAGE)
    c.clock.advance(1.5)
    await c.adapter.list_products(PRODUCTS, PAGE)

    assert c.erp.calls["list_products"] == 2


async def test_a_stock_adjustment_drops_the_cached_stock_of_its_sku_only() -> None:
    c = cached()
    await c.adapter.list_inventory(GADGET, PAGE)
    await c.adapter.list_inventory(WIDGET, PAGE)
    await c.adapter.adjust_stock(
        StockAdjustment(
            sku="TG11", location="1010", quantity=Decimal(-5), unit="PC", reference="R1"
        )
    )

    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == 45
    assert quantity(await c.adapter.list_inventory(WIDGET, PAGE)) == 8
    assert c.erp.calls["list_inventory"] == 3


async def test_an_inventory_event_drops_the_cached_stock_of_its_sku() -> None:
    c = cached()
    await c.adapter.list_inventory(GADGET, PAGE)
    await c.adapter.list_inventory(WIDGET, PAGE)
    c.erp.stock[("TG11", "1010")] = Decimal(3)
    event = Event(
        type=EventType.INVENTORY_CHANGED,
        aggregate="stock:EU01:TG11@1010",
        connection="EU01",
        occurred_at=dt.datetime.now(dt.UTC),
        data={"sku": "TG11"},
    )
    await CacheInvalidation(c.cache).publish([event])

    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == 3
    await c.adapter.list_inventory(WIDGET, PAGE)
    assert c.erp.calls["list_inventory"] == 3


async def test_a_record_change_drops_lists_that_may_hold_it() -> None:
    c = cached()
    everything = await c.adapter.list_inventory(InventoryFilter(), PAGE)
    await c.cache.invalidate("EU01", RecordKind.INVENTORY, ["TG12"])
    again = await c.adapter.list_inventory(InventoryFilter(), PAGE)

    assert again == everything
    assert c.erp.calls["list_inventory"] == 2


async def test_placing_and_fulfilling_an_order_through_the_cache_reads_fresh_state() -> None:
    c = cached()
    order = await c.adapter.create_sales_order(draft())
    assert (await c.adapter.get_sales_order(order.native_id)).delivery_status.value == "open"
    listed = await c.adapter.list_sales_orders(SalesOrderFilter(), PAGE)
    assert [o.native_id for o in listed.items] == [order.native_id]
    stock_before = quantity(await c.adapter.list_inventory(GADGET, PAGE))

    delivery = await c.adapter.create_delivery(order.native_id)
    await c.adapter.post_goods_issue(delivery.native_id)
    invoice = await c.adapter.create_invoice(order.native_id)

    read = await c.adapter.get_sales_order(order.native_id)
    assert read.status.value == "invoiced"
    assert quantity(await c.adapter.list_inventory(GADGET, PAGE)) == stock_before - 2
    invoices = await c.adapter.list_invoices(InvoiceFilter(native_ids=[invoice.native_id]), PAGE)
    assert [i.native_id for i in invoices.items] == [invoice.native_id]


async def test_a_failed_write_still_drops_what_it_may_have_changed() -> None:
    c = cached()
    order = await c.adapter.create_sales_order(draft())
    await c.adapter.get_sales_order(order.native_id)
    c.erp.fail_with["create_delivery"] = lambda: errors.UnknownOutcome("timed out")
    with pytest.raises(errors.UnknownOutcome):
        await c.adapter.create_delivery(order.native_id)
    await c.adapter.get_sales_order(order.native_id)

    assert c.erp.calls["get_sales_order"] == 2


async def test_reads_that_guard_writes_or_carry_sensitive_data_reach_the_erp_each_time() -> None:
    c = cached()
    c.erp.add_employee("100", "Lovelace", salary="5000")
    order = await c.adapter.create_sales_order(draft())
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    for _ in range(2):
        await c.adapter.list_customers(
            CustomerFilter(details=frozenset({CustomerDetail.CREDIT_LIMIT})), PAGE
        )
        await c.adapter.list_sales_orders(SalesOrderFilter(external_reference="X"), PAGE)
        await c.adapter.list_sales_orders(SalesOrderFilter(changed_since=since), PAGE)
        await c.adapter.list_deliveries(DeliveryFilter(order_native_id=order.native_id), PAGE)
        await c.adapter.list_invoices(InvoiceFilter(order_native_id=order.native_id), PAGE)
        await c.adapter.list_employees(EmployeeFilter(), PAGE)

    assert c.erp.calls["list_customers"] == 2
    assert c.erp.calls["list_sales_orders"] == 4
    assert c.erp.calls["list_deliveries"] == 2
    assert c.erp.calls["list_invoices"] == 2
    assert c.erp.calls["list_employees"] == 2


async def test_connections_never_share_an_answer() -> None:
    c = cached()
    us = seeded_erp("US01")
    us.products["TG11"] = us.products["TG11"].model_copy(
        update={"list_price": Money(amount=Decimal("12.00"), currency="USD")}
    )
    us_adapter = CachingAdapter(us, c.cache, CachePolicy(), clock=c.clock)

    eu = await c.adapter.list_products(PRODUCTS, PAGE)
    us_page = await us_adapter.list_products(PRODUCTS, PAGE)

    assert us.calls["list_products"] == 1
    assert {p.source.connection for p in us_page.items} == {"US01"}
    assert eu.items[0].list_price != us_page.items[0].list_price


async def test_a_stale_page_from_the_resilience_wrapper_is_passed_on_not_kept() -> None:
    c = cached()
    answer = c.erp.list_products

    async def stale(filter: ProductFilter, page: PageRequest) -> Page[Product]:
        fresh = await answer(filter, page)
        return fresh.model_copy(update={"stale_for": 120.0})

    c.erp.list_products = stale  # type: ignore[method-assign]
    first = await c.adapter.list_products(PRODUCTS, PAGE)
    await c.adapter.list_products(PRODUCTS, PAGE)

    assert first.stale_for == 120.0
    assert c.erp.calls["list_products"] == 2


@pytest.mark.parametrize(
    "policy", [CachePolicy(enabled=False), CachePolicy(products_ttl=0)], ids=["off", "ttl 0"]
)
async def test_a_kind_left_uncached_reaches_the_erp_each_time(policy: CachePolicy) -> None:
    c = cached(policy)
    await c.adapter.list_products(PRODUCTS, PAGE)
    await c.adapter.list_products(PRODUCTS, PAGE)

    assert c.erp.calls["list_products"] == 2
