"""Sales tax through the Tryton adapter on a real trytond: the demo products carry a 10% tax.

What the adapter reads is compared with what Tryton holds, read through the sandbox's own
JSON-RPC client: the sale's and the invoice's amounts and the tax lines Tryton computed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from erp_sandbox.tryton import catalog
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, PageRequest
from system_apis.tryton import TrytonAdapter
from tests.integration.tryton.tryton_support import make_adapter
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

RATE = catalog.SALES_TAX_RATE
PRICES = {p.code: p.list_price for p in catalog.PRODUCTS}


def _tax(net: Decimal) -> Decimal:
    # Tryton rounds with the currency's rounding, half to even.
    return (net * RATE).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


@pytest.fixture
async def adapter(tryton_fresh: Any) -> AsyncIterator[TrytonAdapter]:
    adapter = make_adapter(tryton_fresh, RecordingTransport())
    yield adapter
    await adapter.aclose()


@pytest.fixture
def rpc(tryton_fresh: Any) -> Any:
    with tryton_fresh.rpc() as rpc:
        yield rpc


async def test_taxed_order_and_invoice_agree_with_tryton(adapter: TrytonAdapter, rpc: Any) -> None:
    (customer,) = (
        await adapter.list_customers(CustomerFilter(name_contains="Hudson Office"), PageRequest())
    ).items
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id,
        external_reference="GW-TAX-1",
        lines=(
            OrderLineDraft(sku="US-1015", quantity=Decimal(7)),
            OrderLineDraft(sku="US-1002", quantity=Decimal(3)),
        ),
    )
    order = await adapter.create_sales_order(draft)
    nets = {line.sku: line.net_amount.amount for line in order.lines if line.net_amount}
    assert nets == {"US-1015": 7 * PRICES["US-1015"], "US-1002": 3 * PRICES["US-1002"]}
    net = sum(nets.values(), Decimal(0))
    assert order.net_amount.amount == net
    assert order.tax_amount is not None
    assert order.gross_amount is not None
    assert order.tax_amount.amount == sum((_tax(n) for n in nets.values()), Decimal(0))
    assert order.tax_amount.amount > 0
    assert order.gross_amount.amount == net + order.tax_amount.amount

    (tax,) = rpc.search_read("account.tax", [("name", "=", catalog.SALES_TAX_NAME)], ["rate"])
    lines = rpc.search_read("sale.line", [("sale", "=", int(order.native_id))], ["taxes", "amount"])
    assert [line["taxes"] for line in lines] == [[tax["id"]], [tax["id"]]]
    (sale,) = rpc.search_read(
        "sale.sale",
        [("id", "=", int(order.native_id))],
        ["untaxed_amount", "tax_amount", "total_amount"],
    )
    assert (sale["untaxed_amount"], sale["tax_amount"], sale["total_amount"]) == (
        order.net_amount.amount,
        order.tax_amount.amount,
        order.gross_amount.amount,
    )

    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(order.native_id)
    assert invoice.net_amount == order.net_amount
    assert invoice.tax_amount == order.tax_amount
    assert invoice.gross_amount == order.gross_amount
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    (posted,) = rpc.search_read(
        "account.invoice",
        [("id", "=", int(invoice.native_id))],
        ["untaxed_amount", "tax_amount", "total_amount", "taxes"],
    )
    assert (posted["untaxed_amount"], posted["tax_amount"], posted["total_amount"]) == (
        invoice.net_amount.amount,
        invoice.tax_amount.amount,
        invoice.gross_amount.amount,
    )
    (tax_line,) = rpc.search_read(
        "account.invoice.tax", [("id", "in", posted["taxes"])], ["tax", "base", "amount"]
    )
    assert (tax_line["tax"], tax_line["base"], tax_line["amount"]) == (
        tax["id"],
        net,
        invoice.tax_amount.amount,
    )
