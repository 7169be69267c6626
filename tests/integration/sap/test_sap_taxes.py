"""Output tax through the SAP adapter on the sandbox: what the gateway reads is what SAP holds.

The sandbox determines tax per item from the customer's and the product's tax classification
(``erp_sandbox.sap.taxes``): for a German customer 19% on full-tax products, 7% on coffee and
tea, nothing on the gift card; nothing at all for a customer abroad (an export).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import Invoice, SalesOrder
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.integration.sap.test_sap_adapter_sandbox import BASE_URL, PASSWORD, USER, Sap
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

GERMAN_CUSTOMER = "10100001"
US_CUSTOMER = "10100007"
RATES = {"FG13": Decimal("0.19"), "FG19": Decimal("0.07"), "FG35": Decimal(0)}
"""Full tax, reduced tax (coffee) and no tax (gift card), for a customer in Germany."""


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[Sap]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(BASE_URL, username=USER, password=PASSWORD, transport=transport)
        adapter = SapAdapter("S4", client)
        yield Sap(app=app, adapter=adapter, transport=transport)
        await adapter.aclose()


def _tax(net: Decimal, rate: Decimal) -> Decimal:
    return (net * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _draft(customer: str) -> SalesOrderDraft:
    lines = [OrderLineDraft(sku="FG13", quantity=Decimal(2))]
    lines.append(OrderLineDraft(sku="FG19", quantity=Decimal(3)))
    lines.append(OrderLineDraft(sku="FG35", quantity=Decimal(1)))
    return SalesOrderDraft(customer_native_id=customer, lines=tuple(lines))


def _check_order(order: SalesOrder, rates: dict[str, Decimal]) -> None:
    assert order.tax_amount is not None
    assert order.gross_amount is not None
    for line in order.lines:
        assert line.net_amount is not None
        assert line.tax_amount is not None
        assert line.tax_amount.amount == _tax(line.net_amount.amount, rates[line.sku])
    taxes = sum((line.tax_amount.amount for line in order.lines if line.tax_amount), Decimal(0))
    assert order.tax_amount.amount == taxes
    assert order.gross_amount.amount == order.net_amount.amount + order.tax_amount.amount


async def _invoice(sap: Sap, order: SalesOrder) -> Invoice:
    delivery = await sap.adapter.create_delivery(order.native_id)
    await sap.adapter.post_goods_issue(delivery.native_id)
    return await sap.adapter.create_invoice(order.native_id)


async def test_taxed_order_and_invoice_agree_with_sap(sap: Sap) -> None:
    order = await sap.adapter.create_sales_order(_draft(GERMAN_CUSTOMER))
    _check_order(order, RATES)
    assert [line.tax_amount.amount > 0 for line in order.lines if line.tax_amount] == [
        True,
        True,
        False,
    ]
    read = await sap.adapter.get_sales_order(order.native_id)
    assert (read.net_amount, read.tax_amount, read.gross_amount) == (
        order.net_amount,
        order.tax_amount,
        order.gross_amount,
    )
    held = {
        row["Material"]: row["TaxAmount"]
        for row in sap.handle.rows("A_SalesOrderItem")
        if row["SalesOrder"] == order.native_id
    }
    assert held == {line.sku: line.tax_amount.amount for line in order.lines if line.tax_amount}

    invoice = await _invoice(sap, order)
    for line in invoice.lines:
        assert line.tax_amount is not None
        assert line.tax_amount.amount == _tax(line.net_amount.amount, RATES[line.sku])
    assert invoice.net_amount == order.net_amount
    assert invoice.tax_amount == order.tax_amount
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    [document] = [
        row
        for row in sap.handle.rows("A_BillingDocument")
        if row["BillingDocument"] == invoice.number
    ]
    assert (document["TotalNetAmount"], document["TaxAmount"], document["TotalGrossAmount"]) == (
        invoice.net_amount.amount,
        invoice.tax_amount.amount,
        invoice.gross_amount.amount,
    )


async def test_export_carries_no_tax(sap: Sap) -> None:
    order = await sap.adapter.create_sales_order(_draft(US_CUSTOMER))
    _check_order(order, dict.fromkeys(RATES, Decimal(0)))
    assert order.gross_amount == order.net_amount
    invoice = await _invoice(sap, order)
    assert invoice.tax_amount.amount == 0
    assert invoice.gross_amount == invoice.net_amount
