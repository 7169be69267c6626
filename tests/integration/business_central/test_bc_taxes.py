"""VAT through the Business Central adapter on its sandbox: the VAT posting setup of the
customer's business group and the item's product group gives each line's rate, and what the
gateway reads is what BC holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from system_apis.business_central.adapter import BusinessCentralAdapter
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import SalesOrder
from system_apis.contracts.queries import CustomerFilter, InventoryFilter, PageRequest
from tests.integration.business_central.test_bc_wire import adapter, sandbox

pytestmark = pytest.mark.integration

FULL, REDUCED = "1900-S", "1932-S"  # a desk (VAT25) and a whiteboard (VAT10)
DOMESTIC, EXPORT = "Adatum Corporation", "Relecloud"  # in GB and in the US


async def _order(bc: BusinessCentralAdapter, customer_name: str, reference: str) -> SalesOrder:
    customers = (await bc.list_customers(CustomerFilter(), PageRequest(limit=100))).items
    (customer,) = (c for c in customers if c.name == customer_name)
    levels = (await bc.list_inventory(InventoryFilter(skus=[FULL, REDUCED]), PageRequest())).items
    where = {level.sku: level.location for level in levels if level.quantity.value >= 3}
    lines = tuple(
        OrderLineDraft(sku=sku, quantity=Decimal(3), location=where[sku]) for sku in (FULL, REDUCED)
    )
    draft = SalesOrderDraft(
        customer_native_id=customer.native_id, external_reference=reference, lines=lines
    )
    return await bc.create_sales_order(draft)


async def test_domestic_lines_are_taxed_by_item_group_and_exports_are_not() -> None:
    with sandbox() as (url, state):
        bc = adapter(url)
        try:
            domestic = await _order(bc, DOMESTIC, "GW-VAT-1")
            export = await _order(bc, EXPORT, "GW-VAT-2")
            delivery = await bc.create_delivery(domestic.native_id)
            await bc.post_goods_issue(delivery.native_id)
            invoice = await bc.create_invoice(domestic.native_id)
        finally:
            await bc.aclose()

    rates = {FULL: Decimal("0.25"), REDUCED: Decimal("0.10")}
    for line in domestic.lines:
        assert line.net_amount is not None
        assert line.tax_amount is not None
        assert line.tax_amount.amount == (line.net_amount.amount * rates[line.sku]).quantize(
            Decimal("0.01")
        )
    assert domestic.tax_amount is not None
    assert domestic.gross_amount is not None
    assert domestic.tax_amount.amount == sum(
        (line.tax_amount.amount for line in domestic.lines if line.tax_amount), Decimal(0)
    )
    assert domestic.gross_amount.amount == domestic.net_amount.amount + domestic.tax_amount.amount
    assert export.tax_amount is not None
    assert export.tax_amount.amount == 0
    assert export.gross_amount == export.net_amount

    assert (invoice.net_amount, invoice.tax_amount, invoice.gross_amount) == (
        domestic.net_amount,
        domestic.tax_amount,
        domestic.gross_amount,
    )
    # Invoiced in full, the order is gone from BC (posting deletes it); its invoice lines
    # keep the VAT identifier and amount each order line had.
    assert not [r for r in state.store.rows("salesOrders") if r["number"] == domestic.number]
    (posted,) = (r for r in state.store.rows("salesInvoices") if r["number"] == invoice.number)
    held = {
        line["lineObjectNumber"]: (line["taxCode"], line["netTaxAmount"])
        for line in state.store.rows("salesInvoiceLines")
        if line["documentId"] == posted["id"]
    }
    taxes = {line.sku: line.tax_amount.amount for line in domestic.lines if line.tax_amount}
    assert held == {FULL: ("VAT25", taxes[FULL]), REDUCED: ("VAT10", taxes[REDUCED])}
    assert (posted["totalTaxAmount"], posted["totalAmountIncludingTax"]) == (
        invoice.tax_amount.amount,
        invoice.gross_amount.amount,
    )
