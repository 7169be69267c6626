"""TrytonAdapter reading a real trytond with the sandbox's demo data (read-only server).

Expected values come from the sandbox catalogue (``tryton_catalog``) and from Tryton itself
through the sandbox's own JSON-RPC client (``tryton_rpc``), never from the adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from erp_sandbox.tryton import catalog
from system_apis.contracts.errors import (
    AuthenticationFailed,
    NotFound,
    NotSupported,
    Unavailable,
    ValidationRejected,
)
from system_apis.contracts.models import DocumentStatus, InvoiceStatus, OrderStatus
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.tryton import TrytonAdapter, TrytonClient
from tests.integration.tryton.tryton_support import CONNECTION, make_adapter
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)
ORDER_KINDS = ("confirmed", "assigned", "invoiced", "paid")


@pytest.fixture
def counter() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
async def adapter(tryton: Any, counter: RecordingTransport) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton, counter)
    await adapter.list_customers(CustomerFilter(native_ids=["1"]), PageRequest(limit=1))
    counter.reset()
    yield adapter
    await adapter.aclose()


def sale_id(rpc: Any, reference: str) -> str:
    (row,) = rpc.search_read("sale.sale", [("reference", "=", reference)], ["id"])
    return str(row["id"])


async def test_customers_page_through_all_parties_but_the_company(
    adapter: TrytonAdapter, counter: RecordingTransport
) -> None:
    expected = {c.name for c in catalog.CUSTOMERS}
    first = await adapter.list_customers(CustomerFilter(), PageRequest(limit=10))
    assert first.total == len(expected)
    assert first.has_next
    assert counter.rpc_methods.count("model.party.party.search_count") == 1
    names = [c.name for c in first.items]
    offset = 10
    while offset < first.total:
        page = await adapter.list_customers(CustomerFilter(), PageRequest(offset=offset, limit=10))
        assert page.total == first.total
        names.extend(c.name for c in page.items)
        offset += 10
    assert set(names) == expected
    assert len(names) == len(expected)
    assert catalog.COMPANY_NAME not in names


async def test_customer_filters_and_addresses(adapter: TrytonAdapter) -> None:
    canadian = await adapter.list_customers(CustomerFilter(country="ca"), ALL)
    assert {c.name for c in canadian.items} == {
        c.name for c in catalog.CUSTOMERS if c.country == "CA"
    }
    (coffee,) = (await adapter.list_customers(CustomerFilter(name_contains="coffee"), ALL)).items
    assert coffee.name == "Rose City Coffee Roasters"
    assert coffee.address is not None
    assert (coffee.address.city, coffee.address.region, coffee.address.country) == (
        "Portland",
        "US-OR",
        "US",
    )
    assert coffee.id == f"{CONNECTION}:{coffee.native_id}"
    assert coffee.source.erp == "tryton"


async def test_customers_by_ids_in_one_call(
    adapter: TrytonAdapter, counter: RecordingTransport
) -> None:
    some = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=5))).items
    wanted = [some[3].native_id, some[0].native_id, "999999"]
    counter.reset()
    page = await adapter.list_customers(CustomerFilter(native_ids=wanted), ALL)
    assert {c.native_id for c in page.items} == {some[0].native_id, some[3].native_id}
    assert counter.rpc_methods == ["model.party.party.search_read"]


async def test_products_by_code_with_prices(adapter: TrytonAdapter) -> None:
    page = await adapter.list_products(ProductFilter(), ALL)
    assert page.total == len(catalog.PRODUCTS)
    skus = [p.sku for p in page.items]
    assert skus == sorted(skus)
    spec = catalog.PRODUCTS[4]
    (product,) = (await adapter.list_products(ProductFilter(skus=[spec.code]), ALL)).items
    assert (product.native_id, product.name, product.base_unit) == (spec.code, spec.name, "u")
    assert product.list_price is not None
    assert product.list_price.amount == spec.list_price
    assert product.list_price.currency == catalog.COMPANY_CURRENCY
    found = await adapter.list_products(ProductFilter(name_contains="coffee"), ALL)
    assert {p.sku for p in found.items} == {
        s.code for s in catalog.PRODUCTS if "coffee" in s.name.lower()
    }


async def test_inventory_is_trytons_stock_today(adapter: TrytonAdapter, tryton_rpc: Any) -> None:
    location = f"{catalog.WAREHOUSE_CODE}/{catalog.STORAGE_CODE}"
    page = await adapter.list_inventory(InventoryFilter(location=location), ALL)
    assert page.total == len(page.items) > 0
    assert {level.location for level in page.items} == {location}
    for level in page.items[:5]:
        assert level.quantity.value == tryton_rpc.stock(level.sku)
        assert level.native_id == f"{level.sku}@{location}"
    low = catalog.LOW_STOCK_CODES
    levels = await adapter.list_inventory(InventoryFilter(skus=list(low)), ALL)
    assert {lv.sku: lv.quantity.value for lv in levels.items} == {
        code: tryton_rpc.stock(code) for code in low if tryton_rpc.stock(code)
    }
    assert (await adapter.list_inventory(InventoryFilter(location="NOWHERE"), ALL)).total == 0
    first = await adapter.list_inventory(InventoryFilter(), PageRequest(limit=10))
    assert (len(first.items), first.total, first.has_next) == (10, page.total, True)
    assert [lv.sku for lv in first.items] == [lv.sku for lv in page.items[:10]]


async def test_orders_newest_first_with_lines_and_statuses(
    adapter: TrytonAdapter, counter: RecordingTransport
) -> None:
    orders = [s for s in catalog.HISTORIC_SALES if s.kind in ORDER_KINDS]
    page = await adapter.list_sales_orders(SalesOrderFilter(), ALL)
    assert counter.rpc_methods == ["model.sale.sale.search_read"]
    assert page.total == len(orders)
    assert [o.external_reference for o in page.items] == [
        s.reference for s in sorted(orders, key=lambda s: s.days_ago)
    ]
    by_reference = {o.external_reference: o for o in page.items}
    for spec in orders:
        order = by_reference[spec.reference]
        assert [(line.sku, line.quantity.value) for line in order.lines] == [
            (code, Decimal(quantity)) for code, quantity in spec.lines
        ]
        expected = (
            OrderStatus.INVOICED if spec.kind in ("invoiced", "paid") else OrderStatus.ORDERED
        )
        assert order.status is expected
    paid = by_reference["HIST-01"]
    assert paid.delivery_status is DocumentStatus.COMPLETE
    assert paid.net_amount.amount == sum(line.net_amount.amount for line in paid.lines)


async def test_order_paging_and_filters(
    adapter: TrytonAdapter, counter: RecordingTransport
) -> None:
    total = sum(1 for s in catalog.HISTORIC_SALES if s.kind in ORDER_KINDS)
    first = await adapter.list_sales_orders(SalesOrderFilter(), PageRequest(limit=4))
    rest = await adapter.list_sales_orders(SalesOrderFilter(), PageRequest(offset=4, limit=4))
    assert (len(first.items), first.total, len(rest.items), rest.total) == (
        4,
        total,
        total - 4,
        total,
    )
    assert not {o.id for o in first.items} & {o.id for o in rest.items}
    assert counter.rpc_methods.count("model.sale.sale.search_count") == 1
    invoiced = await adapter.list_sales_orders(SalesOrderFilter(status=OrderStatus.INVOICED), ALL)
    assert {o.external_reference for o in invoiced.items} == {
        s.reference for s in catalog.HISTORIC_SALES if s.kind in ("invoiced", "paid")
    }
    (one,) = (
        await adapter.list_sales_orders(SalesOrderFilter(external_reference="HIST-03"), ALL)
    ).items
    customer = (
        await adapter.list_customers(CustomerFilter(name_contains="Maple Leaf"), ALL)
    ).items[0]
    assert one.customer_id == customer.id
    theirs = await adapter.list_sales_orders(
        SalesOrderFilter(customer_native_id=customer.native_id), ALL
    )
    assert [o.id for o in theirs.items] == [one.id]
    batch = await adapter.list_sales_orders(
        SalesOrderFilter(native_ids=[one.native_id, first.items[0].native_id]), ALL
    )
    assert batch.total == 2
    recent = await adapter.list_sales_orders(
        SalesOrderFilter(date_from=first.items[0].order_date), ALL
    )
    assert all(o.order_date >= first.items[0].order_date for o in recent.items)


async def test_quotations_and_unknown_orders_are_not_found(
    adapter: TrytonAdapter, tryton_rpc: Any
) -> None:
    for native_id in (sale_id(tryton_rpc, "HIST-09"), sale_id(tryton_rpc, "HIST-07"), "999999"):
        with pytest.raises(NotFound) as caught:
            await adapter.get_sales_order(native_id)
        assert caught.value.connection == CONNECTION
    order = await adapter.get_sales_order(sale_id(tryton_rpc, "HIST-02"))
    assert order.external_reference == "HIST-02"


async def test_deliveries_and_invoices_of_an_order(
    adapter: TrytonAdapter, counter: RecordingTransport, tryton_rpc: Any
) -> None:
    order_id = sale_id(tryton_rpc, "HIST-01")
    counter.reset()
    deliveries = await adapter.list_deliveries(DeliveryFilter(order_native_id=order_id), ALL)
    invoices = await adapter.list_invoices(InvoiceFilter(order_native_id=order_id), ALL)
    assert len(counter.rpc_methods) == 2
    (delivery,) = deliveries.items
    assert delivery.goods_issued
    assert delivery.order_ids == (f"{CONNECTION}:{order_id}",)
    assert {line.sku for line in delivery.lines} == {"US-1001", "US-1004"}
    (invoice,) = invoices.items
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    assert invoice.lines[0].delivery_id == delivery.id
    (raw,) = tryton_rpc.search_read(
        "account.invoice", [("id", "=", int(invoice.native_id))], ["total_amount", "number"]
    )
    assert (invoice.gross_amount.amount, invoice.number) == (raw["total_amount"], raw["number"])
    same = await adapter.list_invoices(InvoiceFilter(native_ids=[invoice.native_id]), ALL)
    assert [i.id for i in same.items] == [invoice.id]


async def test_client_translates_trytons_answers(tryton: Any, tryton_rpc: Any) -> None:
    client = TrytonClient(tryton.url, tryton.database, "admin", tryton.admin_password)
    try:
        with pytest.raises(NotFound, match="don't exist"):
            await client.read("party.party", [999999], ["name"])
        (shipment,) = tryton_rpc.search_read(
            "stock.shipment.out", [("state", "=", "done")], ["id"], limit=1
        )
        with pytest.raises(ValidationRejected, match="pick"):
            await client.button("stock.shipment.out", "pick", [shipment["id"]])
        with pytest.raises(NotSupported):
            await client.call("model.sale.sale.no_such_method", [[1], {}])
    finally:
        await client.aclose()
    wrong = TrytonClient(tryton.url, tryton.database, "admin", "not-the-password")
    with pytest.raises(AuthenticationFailed):
        await wrong.login()
    await wrong.aclose()
    elsewhere = TrytonClient(tryton.url, "no_such_database", "admin", tryton.admin_password)
    with pytest.raises(Unavailable):
        await elsewhere.login()
    await elsewhere.aclose()
