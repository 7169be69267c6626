"""SapAdapter against the SAP sandbox over the real wire protocol (httpx.ASGITransport).

The tests discover their data through the adapter (the sandbox's seed may change) and count
the requests that reach the sandbox with a transport wrapper.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import (
    AuthenticationFailed,
    InsufficientStock,
    NotFound,
    ValidationRejected,
)
from system_apis.contracts.models import (
    DocumentStatus,
    InventoryLevel,
    InvoiceStatus,
    OrderStatus,
    Product,
)
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(offset=0, limit=1000)


def csrf_fetches(transport: RecordingTransport) -> int:
    """How many requests asked SAP for a new CSRF token."""
    return sum(1 for r in transport.requests if r.headers.get("X-CSRF-Token") == "Fetch")


@dataclass
class Sap:
    app: Any
    adapter: SapAdapter
    transport: RecordingTransport
    extra: list[SapAdapter] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.transport.requests)

    def since(self, mark: int) -> int:
        return len(self.transport.requests) - mark

    @property
    def handle(self) -> Any:
        """The sandbox's inspection and control handle."""
        return self.app.state.sandbox


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[Sap]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            BASE_URL, username=USER, password=PASSWORD, sap_client="100", transport=transport
        )
        adapter = SapAdapter("S4", client)
        yield Sap(app=app, adapter=adapter, transport=transport)
        await adapter.aclose()


async def stocked_product(adapter: SapAdapter, minimum: Decimal) -> tuple[Product, InventoryLevel]:
    """A sellable product and a location holding at least ``minimum`` of it."""
    levels = (await adapter.list_inventory(InventoryFilter(), ALL)).items
    products = {p.sku: p for p in (await adapter.list_products(ProductFilter(), ALL)).items}
    for level in levels:
        product = products.get(level.sku)
        if product and not product.deleted and level.quantity.value >= minimum:
            return product, level
    raise AssertionError("the sandbox seed holds no product with enough stock")


async def stock_at(adapter: SapAdapter, sku: str, location: str) -> Decimal:
    page = await adapter.list_inventory(InventoryFilter(skus=[sku], location=location), ALL)
    return sum((level.quantity.value for level in page.items), Decimal(0))


def test_adapter_is_an_erp_adapter(sap: Sap) -> None:
    assert isinstance(sap.adapter, ErpAdapter)


# -- master data -----------------------------------------------------------------------------


async def test_customers_page_with_totals(sap: Sap) -> None:
    everything = await sap.adapter.list_customers(CustomerFilter(), ALL)
    assert everything.total == len(everything.items) >= 3
    mark = sap.mark()
    first = await sap.adapter.list_customers(CustomerFilter(), PageRequest(offset=0, limit=2))
    second = await sap.adapter.list_customers(CustomerFilter(), PageRequest(offset=2, limit=2))
    assert sap.since(mark) == 2
    assert first.total == second.total == everything.total
    assert first.has_next
    assert [c.id for c in first.items + second.items] == [c.id for c in everything.items[:4]]
    customer = everything.items[0]
    assert customer.id == f"S4:{customer.native_id}"
    assert customer.source.erp == "sap"
    assert customer.name


async def test_customer_filters(sap: Sap) -> None:
    everything = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items
    target = next(c for c in everything if c.address and c.address.country and len(c.name) > 4)
    fragment = target.name[1:5].swapcase()
    by_name = await sap.adapter.list_customers(CustomerFilter(name_contains=fragment), ALL)
    assert target.id in {c.id for c in by_name.items}
    assert all(fragment.lower() in c.name.lower() for c in by_name.items)

    assert target.address is not None
    country = target.address.country
    assert country is not None
    by_country = await sap.adapter.list_customers(CustomerFilter(country=country), ALL)
    assert target.id in {c.id for c in by_country.items}
    expected = {c.id for c in everything if c.address and c.address.country == country}
    assert {c.id for c in by_country.items} == expected
    assert by_country.total == len(expected)


async def test_customers_by_ids_cost_one_request(sap: Sap) -> None:
    everything = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items
    wanted = [everything[2].native_id, everything[0].native_id, "NOSUCHCUST"]
    mark = sap.mark()
    page = await sap.adapter.list_customers(CustomerFilter(native_ids=wanted), ALL)
    assert sap.since(mark) == 1
    assert {c.native_id for c in page.items} == set(wanted[:2])
    assert page.total == 2


async def test_products_page_filter_and_batch(sap: Sap) -> None:
    everything = await sap.adapter.list_products(ProductFilter(), ALL)
    assert everything.total == len(everything.items) >= 3
    page = await sap.adapter.list_products(ProductFilter(), PageRequest(offset=1, limit=2))
    assert [p.sku for p in page.items] == [p.sku for p in everything.items[1:3]]
    assert page.total == everything.total

    product = next(p for p in everything.items if p.product_group)
    by_group = await sap.adapter.list_products(
        ProductFilter(product_group=product.product_group), ALL
    )
    assert product.sku in {p.sku for p in by_group.items}
    assert all(p.product_group == product.product_group for p in by_group.items)

    skus = [p.sku for p in everything.items[:3]]
    mark = sap.mark()
    batch = await sap.adapter.list_products(ProductFilter(skus=skus), ALL)
    assert sap.since(mark) == 1
    assert sorted(p.sku for p in batch.items) == sorted(skus)

    by_name = await sap.adapter.list_products(
        ProductFilter(name_contains=product.name[:4].upper()), ALL
    )
    assert product.sku in {p.sku for p in by_name.items}


async def test_inventory_pages_and_filters(sap: Sap) -> None:
    everything = await sap.adapter.list_inventory(InventoryFilter(), ALL)
    assert everything.items
    assert all(level.location.count("/") == 1 for level in everything.items)
    first = await sap.adapter.list_inventory(InventoryFilter(), PageRequest(offset=0, limit=3))
    assert first.total == everything.total
    assert [lvl.id for lvl in first.items] == [lvl.id for lvl in everything.items[:3]]

    level = everything.items[0]
    at_location = await sap.adapter.list_inventory(InventoryFilter(location=level.location), ALL)
    assert at_location.items
    assert all(lvl.location == level.location for lvl in at_location.items)
    plant = level.location.split("/")[0]
    at_plant = await sap.adapter.list_inventory(InventoryFilter(location=plant), ALL)
    assert all(lvl.location.startswith(plant + "/") for lvl in at_plant.items)

    skus = sorted({lvl.sku for lvl in everything.items})[:2]
    by_sku = await sap.adapter.list_inventory(InventoryFilter(skus=skus), ALL)
    assert {lvl.sku for lvl in by_sku.items} == set(skus)


# -- sales orders ----------------------------------------------------------------------------


async def test_unknown_order_is_not_found(sap: Sap) -> None:
    with pytest.raises(NotFound) as caught:
        await sap.adapter.get_sales_order("9999999")
    assert caught.value.connection == "S4"


async def test_orders_newest_first_with_lines(sap: Sap) -> None:
    page = await sap.adapter.list_sales_orders(SalesOrderFilter(), PageRequest(limit=50))
    assert page.items
    dates = [order.order_date for order in page.items]
    assert dates == sorted(dates, reverse=True)
    assert all(order.lines for order in page.items)
    for order in page.items:
        assert sum(line.net_amount.amount for line in order.lines if line.net_amount) == (
            order.net_amount.amount
        )


async def test_create_fulfil_and_invoice_an_order(sap: Sap) -> None:
    customer = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items[0]
    product, level = await stocked_product(sap.adapter, Decimal(3))
    reference = f"IT-{uuid.uuid4().hex[:12]}"

    order = await sap.adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            external_reference=reference,
            lines=(
                OrderLineDraft(
                    sku=product.sku,
                    quantity=Decimal(3),
                    unit=product.base_unit,
                    location=level.location,
                ),
            ),
        )
    )
    assert order.customer_id == customer.id
    assert order.external_reference == reference
    assert order.status is OrderStatus.ORDERED
    assert order.delivery_status is DocumentStatus.OPEN
    assert [(line.sku, line.quantity.value) for line in order.lines] == [(product.sku, 3)]
    assert order.net_amount.amount > 0

    found = await sap.adapter.list_sales_orders(SalesOrderFilter(external_reference=reference), ALL)
    assert [o.id for o in found.items] == [order.id]
    assert (await sap.adapter.get_sales_order(order.native_id)) == found.items[0]

    delivery = await sap.adapter.create_delivery(order.native_id)
    assert delivery.goods_issued is False
    assert delivery.order_ids == (order.id,)
    assert delivery.customer_id == customer.id
    assert [(line.sku, line.quantity.value, line.order_id) for line in delivery.lines] == [
        (product.sku, 3, order.id)
    ]
    location = delivery.lines[0].location
    assert location is not None
    before = await stock_at(sap.adapter, product.sku, location)

    issued = await sap.adapter.post_goods_issue(delivery.native_id)
    assert issued.goods_issued is True
    assert issued.goods_issue_date is not None
    assert await stock_at(sap.adapter, product.sku, location) == before - 3
    shipped = await sap.adapter.get_sales_order(order.native_id)
    assert shipped.status is OrderStatus.SHIPPED
    assert shipped.delivery_status is DocumentStatus.COMPLETE

    again = await sap.adapter.post_goods_issue(delivery.native_id)
    assert again.goods_issued is True
    assert await stock_at(sap.adapter, product.sku, location) == before - 3

    deliveries = await sap.adapter.list_deliveries(
        DeliveryFilter(order_native_id=order.native_id), ALL
    )
    assert [d.id for d in deliveries.items] == [delivery.id]

    invoice = await sap.adapter.create_invoice(order.native_id)
    assert invoice.customer_id == customer.id
    assert invoice.order_ids == (order.id,)
    assert invoice.status in (InvoiceStatus.POSTED, InvoiceStatus.DRAFT)
    assert invoice.net_amount == order.net_amount
    assert sum(line.net_amount.amount for line in invoice.lines) == invoice.net_amount.amount
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    assert [(line.sku, line.quantity.value) for line in invoice.lines] == [(product.sku, 3)]
    assert invoice.lines[0].delivery_id == delivery.id

    invoices = await sap.adapter.list_invoices(InvoiceFilter(order_native_id=order.native_id), ALL)
    assert [i.id for i in invoices.items] == [invoice.id]
    billed = await sap.adapter.get_sales_order(order.native_id)
    assert billed.status is OrderStatus.INVOICED
    invoiced = await sap.adapter.list_sales_orders(
        SalesOrderFilter(status=OrderStatus.INVOICED, customer_native_id=customer.native_id), ALL
    )
    assert order.id in {o.id for o in invoiced.items}

    with pytest.raises(ValidationRejected):
        await sap.adapter.create_invoice(order.native_id)
    with pytest.raises(ValidationRejected):
        await sap.adapter.create_delivery(order.native_id)


async def test_goods_issue_beyond_stock_is_insufficient_stock(sap: Sap) -> None:
    customer = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items[0]
    product, level = await stocked_product(sap.adapter, Decimal(1))
    too_much = level.quantity.value + 1000
    order = await sap.adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer.native_id,
            lines=(OrderLineDraft(sku=product.sku, quantity=too_much, location=level.location),),
        )
    )
    delivery = await sap.adapter.create_delivery(order.native_id)
    with pytest.raises(InsufficientStock):
        await sap.adapter.post_goods_issue(delivery.native_id)
    assert await stock_at(sap.adapter, product.sku, level.location) == level.quantity.value


async def test_unknown_material_is_rejected(sap: Sap) -> None:
    customer = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items[0]
    with pytest.raises(ValidationRejected) as caught:
        await sap.adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer.native_id,
                lines=(OrderLineDraft(sku="NO-SUCH-MATERIAL", quantity=Decimal(1)),),
            )
        )
    assert caught.value.message
    assert not isinstance(caught.value, InsufficientStock)


async def test_unknown_customer_is_rejected(sap: Sap) -> None:
    product, _ = await stocked_product(sap.adapter, Decimal(1))
    with pytest.raises(ValidationRejected):
        await sap.adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id="NOSUCHCUST",
                lines=(OrderLineDraft(sku=product.sku, quantity=Decimal(1)),),
            )
        )


# -- session handling ------------------------------------------------------------------------


async def test_expired_csrf_token_is_recovered_transparently(sap: Sap) -> None:
    customer = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items[0]
    product, _ = await stocked_product(sap.adapter, Decimal(1))
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        lines=(OrderLineDraft(sku=product.sku, quantity=Decimal(1)),),
    )
    first = await sap.adapter.create_sales_order(draft)
    assert csrf_fetches(sap.transport) == 1

    second = await sap.adapter.create_sales_order(draft)
    assert csrf_fetches(sap.transport) == 1

    sap.handle.expire_csrf_tokens()
    third = await sap.adapter.create_sales_order(draft)
    assert csrf_fetches(sap.transport) == 2
    assert len({first.id, second.id, third.id}) == 3
    orders = await sap.adapter.list_sales_orders(
        SalesOrderFilter(native_ids=[first.native_id, second.native_id, third.native_id]), ALL
    )
    assert orders.total == 3


async def test_wrong_password_is_an_authentication_failure(sap: Sap) -> None:
    client = SapODataClient(
        BASE_URL,
        username=USER,
        password="wrong",
        transport=httpx.ASGITransport(app=sap.app),
    )
    adapter = SapAdapter("S4", client)
    with pytest.raises(AuthenticationFailed):
        await adapter.list_customers(CustomerFilter(), ALL)
    await adapter.aclose()


async def test_concurrent_first_writes_share_one_token(sap: Sap) -> None:
    customer = (await sap.adapter.list_customers(CustomerFilter(), ALL)).items[0]
    product, _ = await stocked_product(sap.adapter, Decimal(1))
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        lines=(OrderLineDraft(sku=product.sku, quantity=Decimal(1)),),
    )
    orders = await asyncio.gather(*(sap.adapter.create_sales_order(draft) for _ in range(4)))
    assert len({order.id for order in orders}) == 4
    assert csrf_fetches(sap.transport) == 1


async def test_server_side_paging_is_followed_for_key_lookups(tmp_path: Path) -> None:
    settings = SandboxSettings(data_dir=tmp_path / "paged", page_size=2)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            BASE_URL,
            username=settings.username,
            password=settings.password,
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("S4", client)
        first = await adapter.list_customers(CustomerFilter(), ALL)
        assert first.total > len(first.items) == 2
        assert first.has_next
        customers = [
            c
            for offset in range(0, first.total, 2)
            for c in (
                await adapter.list_customers(CustomerFilter(), PageRequest(offset=offset, limit=2))
            ).items
        ]
        assert len(customers) == first.total
        per_country = Counter(c.address.country for c in customers if c.address)
        country, expected = per_country.most_common(1)[0]
        assert country is not None
        assert expected > 2, "the seed should put more than a server page in one country"
        by_country = await adapter.list_customers(CustomerFilter(country=country), ALL)
        assert by_country.total == expected
        assert all(c.address is not None and c.address.country == country for c in by_country.items)
        await adapter.aclose()
