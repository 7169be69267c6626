"""What every ErpAdapter promises, checked the same way against each ERP.

A new adapter joins by adding a factory in conftest.py; it must pass all of this.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from system_apis.contracts import errors
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import InventoryLevel, canonical_id
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.contract.conftest import Subject

MAX_EXTERNAL_REFERENCE = 35  # what a SalesOrderDraft carries at most


async def test_pages_are_disjoint_and_consistent(subject: Subject) -> None:
    adapter = subject.adapter
    first = await adapter.list_customers(CustomerFilter(), PageRequest(offset=0, limit=2))
    second = await adapter.list_customers(CustomerFilter(), PageRequest(offset=2, limit=2))
    everything = await adapter.list_customers(CustomerFilter(), PageRequest(limit=1000))
    assert len(first.items) == 2
    assert first.has_next
    assert first.total == second.total == everything.total == len(everything.items)
    ids = [c.id for c in everything.items]
    assert [c.id for c in first.items + second.items] == ids[:4]
    assert len(set(ids)) == len(ids)
    assert all(
        c.id == canonical_id(adapter.source.connection, c.native_id) for c in everything.items
    )
    assert all(c.source == adapter.source for c in everything.items)


async def test_a_batch_of_ids_answers_those_that_exist(subject: Subject) -> None:
    adapter = subject.adapter
    known = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=3))).items
    wanted = [known[2].native_id, "0000000000-missing", known[0].native_id]
    page = await adapter.list_customers(CustomerFilter(native_ids=wanted), PageRequest(limit=3))
    assert {c.native_id for c in page.items} == {known[0].native_id, known[2].native_id}
    assert page.total == 2


async def test_name_filter_matches_regardless_of_case(subject: Subject) -> None:
    adapter = subject.adapter
    sample = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    fragment = sample.name.split()[0][1:4].upper()
    page = await adapter.list_customers(
        CustomerFilter(name_contains=fragment), PageRequest(limit=100)
    )
    assert sample.id in {c.id for c in page.items}
    assert all(fragment.lower() in c.name.lower() for c in page.items)


async def test_products_by_sku_and_stock_by_location(subject: Subject) -> None:
    adapter = subject.adapter
    products = (await adapter.list_products(ProductFilter(), PageRequest(limit=2))).items
    skus = [p.sku for p in products]
    page = await adapter.list_products(
        ProductFilter(skus=[*skus, "NO-SUCH-SKU"]), PageRequest(limit=10)
    )
    assert sorted(p.sku for p in page.items) == sorted(skus)
    level = await stocked(subject, skus[0])
    at = await adapter.list_inventory(
        InventoryFilter(skus=[skus[0]], location=level.location), PageRequest(limit=10)
    )
    assert [(lvl.sku, lvl.location) for lvl in at.items] == [(skus[0], level.location)]
    assert at.items[0].quantity.value == subject.stock(skus[0], level.location)


async def test_unknown_order_is_not_found(subject: Subject) -> None:
    with pytest.raises(errors.NotFound):
        await subject.adapter.get_sales_order("999999")


async def test_unknown_product_is_rejected_and_nothing_is_created(subject: Subject) -> None:
    adapter = subject.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    before = (await adapter.list_sales_orders(SalesOrderFilter(), PageRequest(limit=1))).total
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        lines=(OrderLineDraft(sku="NO-SUCH-SKU", quantity=Decimal(1)),),
    )
    with pytest.raises(errors.ValidationRejected):
        await adapter.create_sales_order(draft)
    after = (await adapter.list_sales_orders(SalesOrderFilter(), PageRequest(limit=1))).total
    assert after == before


async def test_an_order_reference_as_long_as_the_stated_limit_finds_the_order(
    subject: Subject,
) -> None:
    adapter = subject.adapter
    longest = adapter.limits.order_reference or MAX_EXTERNAL_REFERENCE
    assert longest <= MAX_EXTERNAL_REFERENCE
    reference = ("GWlimit-" + uuid.uuid4().hex * 2)[:longest]
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    product = (await adapter.list_products(ProductFilter(), PageRequest(limit=1))).items[0]
    level = await stocked(subject, product.sku)
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=reference,
            lines=(
                OrderLineDraft(
                    sku=product.sku,
                    quantity=Decimal(1),
                    unit=product.base_unit,
                    location=level.location,
                ),
            ),
        )
    )

    assert order.external_reference == reference
    found = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference=reference), PageRequest(limit=5)
    )
    assert [o.id for o in found.items] == [order.id]


async def test_order_to_invoice_through_the_port(subject: Subject) -> None:
    adapter = subject.adapter
    customer = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items[0]
    product = (await adapter.list_products(ProductFilter(), PageRequest(limit=1))).items[0]
    level = await stocked(subject, product.sku)
    before = subject.stock(product.sku, level.location)
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        external_reference="GWcontract-0001",
        lines=(
            OrderLineDraft(
                sku=product.sku,
                quantity=Decimal(2),
                unit=product.base_unit,
                location=level.location,
            ),
        ),
    )
    order = await adapter.create_sales_order(draft)
    assert order.customer_id == customer.id
    assert order.external_reference == "GWcontract-0001"
    assert [(line.sku, line.quantity.value) for line in order.lines] == [(product.sku, 2)]

    # The external reference finds the order again: what makes a retried create safe.
    found = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference="GWcontract-0001"), PageRequest(limit=5)
    )
    assert [o.id for o in found.items] == [order.id]
    none = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference="GWcontract-none"), PageRequest(limit=5)
    )
    assert none.items == ()

    delivery = await adapter.create_delivery(order.native_id)
    issued = await adapter.post_goods_issue(delivery.native_id)
    assert issued.goods_issued
    assert subject.stock(product.sku, level.location) == before - 2
    deliveries = await adapter.list_deliveries(
        DeliveryFilter(order_native_id=order.native_id), PageRequest(limit=10)
    )
    assert [d.id for d in deliveries.items] == [delivery.id]

    invoice = await adapter.create_invoice(order.native_id)
    assert invoice.net_amount == order.net_amount
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    invoices = await adapter.list_invoices(
        InvoiceFilter(order_native_id=order.native_id), PageRequest(limit=10)
    )
    assert [i.id for i in invoices.items] == [invoice.id]

    # The documents of a page of orders in one read: a second order, delivered only, and
    # more orders than one request of some ERPs names, most of them without documents.
    other = await adapter.create_sales_order(
        draft.model_copy(update={"external_reference": "GWcontract-0002"})
    )
    other_delivery = await adapter.create_delivery(other.native_id)
    batch = [other.native_id, *(str(9_900_000 + n) for n in range(45)), order.native_id]
    found = await adapter.list_deliveries(
        DeliveryFilter(order_native_ids=batch), PageRequest(limit=100)
    )
    assert sorted((d.id, d.order_ids) for d in found.items) == sorted(
        [(delivery.id, (order.id,)), (other_delivery.id, (other.id,))]
    )
    assert found.total == 2
    second = await adapter.list_deliveries(
        DeliveryFilter(order_native_ids=batch), PageRequest(offset=1, limit=1)
    )
    assert ([d.id for d in second.items], second.total) == ([found.items[1].id], 2)
    billed = await adapter.list_invoices(
        InvoiceFilter(order_native_ids=batch), PageRequest(limit=100)
    )
    assert [(i.id, i.order_ids) for i in billed.items] == [(invoice.id, (order.id,))]
    unbilled = await adapter.list_invoices(
        InvoiceFilter(order_native_ids=[other.native_id]), PageRequest(limit=100)
    )
    assert unbilled.items == ()
    none = await adapter.list_deliveries(DeliveryFilter(order_native_ids=[]), PageRequest())
    assert (none.items, none.total) == ((), 0)


async def test_an_unreachable_erp_is_unavailable(subject: Subject) -> None:
    with pytest.raises(errors.Unavailable):
        await subject.unreachable.list_customers(CustomerFilter(), PageRequest(limit=1))


async def stocked(subject: Subject, sku: str) -> InventoryLevel:
    levels = await subject.adapter.list_inventory(
        InventoryFilter(skus=[sku]), PageRequest(limit=50)
    )
    return max(levels.items, key=lambda lvl: lvl.quantity.value)
