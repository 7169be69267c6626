"""TrytonAdapter writing to a real trytond: each test gets its own copy of the demo database.

What Tryton holds afterwards is checked through the sandbox's own JSON-RPC client, not through
the adapter.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from erp_sandbox.tryton import catalog
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import InsufficientStock, NotFound, ValidationRejected
from system_apis.contracts.models import DocumentStatus, InvoiceStatus, OrderStatus
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InvoiceFilter,
    PageRequest,
    SalesOrderFilter,
)
from system_apis.tryton import TrytonAdapter
from tests.integration.tryton.tryton_support import make_adapter
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

ALL = PageRequest(limit=1000)
PRICES = {p.code: p.list_price for p in catalog.PRODUCTS}


@pytest.fixture
def counter() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
async def adapter(tryton_fresh: Any, counter: RecordingTransport) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton_fresh, counter)
    yield adapter
    await adapter.aclose()


@pytest.fixture
def rpc(tryton_fresh: Any) -> Any:
    with tryton_fresh.rpc() as rpc:
        yield rpc


async def customer_id(adapter: TrytonAdapter, name: str) -> str:
    (customer,) = (await adapter.list_customers(CustomerFilter(name_contains=name), ALL)).items
    return customer.native_id


def sale_state(rpc: Any, native_id: str) -> dict[str, Any]:
    (row,) = rpc.search_read(
        "sale.sale",
        [("id", "=", int(native_id))],
        ["state", "shipment_state", "invoice_state", "total_amount"],
    )
    return row


async def test_order_to_invoice(adapter: TrytonAdapter, rpc: Any) -> None:
    customer = await customer_id(adapter, "Hudson Office")
    stock_before = {code: rpc.stock(code) for code in ("US-1014", "US-1016")}

    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=customer,
            external_reference="GW-1001",
            lines=(
                OrderLineDraft(sku="US-1014", quantity=Decimal(3)),
                OrderLineDraft(sku="US-1016", quantity=Decimal(2), unit="u", location="WH/STO"),
            ),
        )
    )
    assert (order.status, order.delivery_status) == (OrderStatus.ORDERED, DocumentStatus.OPEN)
    assert order.external_reference == "GW-1001"
    assert order.customer_id == f"TRY:{customer}"
    assert [(line.sku, line.quantity.value) for line in order.lines] == [
        ("US-1014", Decimal(3)),
        ("US-1016", Decimal(2)),
    ]
    net = 3 * PRICES["US-1014"] + 2 * PRICES["US-1016"]
    assert order.net_amount.amount == net
    assert order.net_amount.currency == catalog.COMPANY_CURRENCY
    assert sale_state(rpc, order.native_id)["state"] == "processing"
    found = await adapter.list_sales_orders(SalesOrderFilter(external_reference="GW-1001"), ALL)
    assert [o.id for o in found.items] == [order.id]

    delivery = await adapter.create_delivery(order.native_id)
    assert not delivery.goods_issued
    assert delivery.order_ids == (order.id,)
    assert {line.sku: line.quantity.value for line in delivery.lines} == {
        "US-1014": Decimal(3),
        "US-1016": Decimal(2),
    }
    assert (await adapter.create_delivery(order.native_id)).id == delivery.id

    issued = await adapter.post_goods_issue(delivery.native_id)
    assert issued.goods_issued
    assert issued.goods_issue_date is not None
    assert rpc.stock("US-1014") == stock_before["US-1014"] - 3
    assert rpc.stock("US-1016") == stock_before["US-1016"] - 2
    assert sale_state(rpc, order.native_id)["shipment_state"] == "sent"
    assert (await adapter.post_goods_issue(delivery.native_id)).goods_issued
    assert rpc.stock("US-1014") == stock_before["US-1014"] - 3

    invoice = await adapter.create_invoice(order.native_id)
    assert invoice.status is InvoiceStatus.POSTED
    assert invoice.order_ids == (order.id,)
    assert invoice.net_amount.amount == net
    assert invoice.gross_amount.amount == net + invoice.tax_amount.amount
    assert invoice.gross_amount.amount == sale_state(rpc, order.native_id)["total_amount"]
    (posted,) = rpc.search_read(
        "account.invoice", [("id", "=", int(invoice.native_id))], ["state", "number"]
    )
    assert (posted["state"], posted["number"]) == ("posted", invoice.number)

    final = await adapter.get_sales_order(order.native_id)
    assert final.status is OrderStatus.INVOICED
    assert final.billing_status is DocumentStatus.COMPLETE
    listed = await adapter.list_invoices(InvoiceFilter(order_native_id=order.native_id), ALL)
    assert [i.id for i in listed.items] == [invoice.id]
    shipped = await adapter.list_deliveries(DeliveryFilter(order_native_id=order.native_id), ALL)
    assert [d.id for d in shipped.items] == [delivery.id]
    with pytest.raises(ValidationRejected, match="already billed"):
        await adapter.create_invoice(order.native_id)
    with pytest.raises(ValidationRejected, match="no open lines"):
        await adapter.create_delivery(order.native_id)


async def test_goods_issue_beyond_stock_is_insufficient_stock(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    code = catalog.LOW_STOCK_CODES[0]
    customer = await customer_id(adapter, "Beacon Hill")
    # Two orders for all the stock are both accepted (nothing is reserved yet); the first
    # shipment takes the stock, so the second one's goods issue finds too little.
    first, order = [
        await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer,
                lines=(OrderLineDraft(sku=code, quantity=rpc.stock(code)),),
            )
        )
        for _ in range(2)
    ]
    await adapter.post_goods_issue((await adapter.create_delivery(first.native_id)).native_id)
    before = rpc.stock(code)
    delivery = await adapter.create_delivery(order.native_id)
    with pytest.raises(InsufficientStock, match=code) as caught:
        await adapter.post_goods_issue(delivery.native_id)
    assert caught.value.connection == "TRY"
    assert rpc.stock(code) == before
    (shipment,) = rpc.search_read(
        "stock.shipment.out",
        [("id", "=", int(delivery.native_id))],
        ["state", "partially_assigned"],
    )
    assert (shipment["state"], shipment["partially_assigned"]) == ("waiting", False)


async def test_bad_product_party_and_quantity_are_rejected(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    sales_before = rpc.search_count("sale.sale", [])
    customer = await customer_id(adapter, "Lone Star")
    with pytest.raises(ValidationRejected, match="NO-SUCH") as caught:
        await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer,
                lines=(OrderLineDraft(sku="NO-SUCH", quantity=Decimal(1)),),
            )
        )
    assert not isinstance(caught.value, InsufficientStock)
    for party in ("999999", "C-1"):
        with pytest.raises(ValidationRejected):
            await adapter.create_sales_order(
                SalesOrderDraft(
                    customer_native_id=party,
                    lines=(OrderLineDraft(sku="US-1001", quantity=Decimal(1)),),
                )
            )
    with pytest.raises(ValidationRejected) as fraction:
        await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer,
                lines=(OrderLineDraft(sku="US-1001", quantity=Decimal("1.5")),),
            )
        )
    assert fraction.value.field == "Quantity"
    assert fraction.value.message.startswith("1.5 has more decimal places than")
    assert "None" not in fraction.value.message
    with pytest.raises(ValidationRejected, match="warehouse"):
        await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id=customer,
                lines=(OrderLineDraft(sku="US-1001", quantity=Decimal(1), location="XX/YY"),),
            )
        )
    assert rpc.search_count("sale.sale", []) == sales_before
    with pytest.raises(NotFound):
        await adapter.create_delivery("999999")
    with pytest.raises(NotFound):
        await adapter.post_goods_issue("999999")
    with pytest.raises(NotFound):
        await adapter.create_invoice("999999")


async def test_historic_orders_are_fulfilled_from_where_they_stand(
    adapter: TrytonAdapter, rpc: Any
) -> None:
    for reference in ("HIST-05", "HIST-06"):
        (order,) = (
            await adapter.list_sales_orders(SalesOrderFilter(external_reference=reference), ALL)
        ).items
        # The demo sales invoice on fulfilment: nothing is billable before the goods leave.
        with pytest.raises(ValidationRejected, match="nothing to bill"):
            await adapter.create_invoice(order.native_id)
        delivery = await adapter.create_delivery(order.native_id)
        issued = await adapter.post_goods_issue(delivery.native_id)
        assert issued.goods_issued
        invoice = await adapter.create_invoice(order.native_id)
        assert invoice.status is InvoiceStatus.POSTED
        assert sale_state(rpc, order.native_id)["invoice_state"] == "awaiting payment"


async def test_session_ended_on_the_server_is_renewed(
    adapter: TrytonAdapter, counter: RecordingTransport, tryton_fresh: Any
) -> None:
    await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    assert counter.rpc_methods.count("common.db.login") == 1

    # Another client ends the adapter's session (as a logout elsewhere would).
    async with httpx.AsyncClient(base_url=tryton_fresh.url) as other:
        answer = await other.post(
            f"/{tryton_fresh.database}/rpc/",
            json={"id": 1, "method": "common.db.logout", "params": []},
            headers={"Authorization": counter.header("Authorization") or ""},
        )
    assert answer.status_code == 200
    page = await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
    assert page.items
    assert counter.rpc_methods.count("common.db.login") == 2

    # Every session removed from the database (as expiry or an administrator would).
    with sqlite3.connect(tryton_fresh.db.path) as connection:
        deleted = connection.execute("DELETE FROM ir_session").rowcount
    assert deleted >= 1
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id=page.items[0].native_id,
            lines=(OrderLineDraft(sku="US-1001", quantity=Decimal(1)),),
        )
    )
    assert order.status is OrderStatus.ORDERED
    assert counter.rpc_methods.count("common.db.login") == 3
    assert counter.rpc_methods.count("model.sale.sale.create") == 1
