"""Sales tax through the NetSuite adapter on its sandbox: the tax on the taxable lines of an
order and of its invoice, as the adapter reads them and as the sandbox holds them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from erp_sandbox import netsuite as netsuite_sandbox
from erp_sandbox.netsuite.tax import TAX_RATE
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.queries import CustomerFilter, PageRequest
from system_apis.netsuite.adapter import NetSuiteAdapter
from tests.support.netsuite import netsuite_adapter

pytestmark = pytest.mark.integration

TAXABLE, EXEMPT = "NS-1001", "NS-1046"  # the last five items are not taxable


@pytest.fixture
async def netsuite() -> AsyncIterator[tuple[NetSuiteAdapter, Any]]:
    app = netsuite_sandbox.create_app()
    sandbox = app.state.sandbox
    adapter = netsuite_adapter(httpx.ASGITransport(app=app))
    try:
        yield adapter, sandbox
    finally:
        await adapter.aclose()
        sandbox.close()


async def test_order_and_invoice_tax_only_the_taxable_lines(
    netsuite: tuple[NetSuiteAdapter, Any],
) -> None:
    adapter, sandbox = netsuite
    (customer,) = (await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))).items
    lines = (
        OrderLineDraft(sku=TAXABLE, quantity=Decimal(3)),
        OrderLineDraft(sku=EXEMPT, quantity=Decimal(2)),
    )
    order = await adapter.create_sales_order(
        SalesOrderDraft(customer_native_id=customer.native_id, lines=lines)
    )
    nets = {line.sku: line.net_amount.amount for line in order.lines if line.net_amount}
    tax = (nets[TAXABLE] * TAX_RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert tax > 0
    assert order.tax_amount is not None
    assert order.gross_amount is not None
    assert order.tax_amount.amount == tax
    assert order.gross_amount.amount == order.net_amount.amount + tax
    assert order.net_amount.amount == nets[TAXABLE] + nets[EXEMPT]

    delivery = await adapter.create_delivery(order.native_id)
    await adapter.post_goods_issue(delivery.native_id)
    invoice = await adapter.create_invoice(order.native_id)
    assert (invoice.net_amount, invoice.tax_amount, invoice.gross_amount) == (
        order.net_amount,
        order.tax_amount,
        order.gross_amount,
    )
    held = sandbox.store.rows(
        'SELECT id, taxtotal, foreigntotal FROM "transaction" WHERE id IN (?, ?)',
        (int(order.native_id), int(invoice.native_id)),
    )
    assert len(held) == 2
    for row in held:
        assert Decimal(str(row["taxtotal"])) == tax
        assert Decimal(str(row["foreigntotal"])) == order.gross_amount.amount
