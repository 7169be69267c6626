"""Tax through GraphQL on the SAP sandbox: the amounts a front end shows are SAP's own.

A German customer buys a full-tax product (19%), coffee (7%) and a gift card (no tax); the
order, its lines and the invoice read through GraphQL must add up (gross = net + tax, each
line's tax its rate times its net) and match what the sandbox holds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.e2e.conftest import Running
from tests.e2e.order_flow import FULFIL, INVOICE

RATES = {"FG13": Decimal("0.19"), "FG19": Decimal("0.07"), "FG35": Decimal(0)}
AMOUNTS = "netAmount { amount currency } taxAmount { amount } grossAmount { amount }"
PLACE = f"""
mutation Place($input: PlaceOrderInput!) {{
  placeOrder(input: $input) {{
    order {{ id number {AMOUNTS} lines {{ sku netAmount {{ amount }} taxAmount {{ amount }} }} }}
    errors {{ message }}
  }}
}}"""
ORDER = f"query Order($id: ID!) {{ salesOrder(id: $id) {{ {AMOUNTS} }} }}"


def _amount(money: dict[str, str]) -> Decimal:
    return Decimal(money["amount"])


async def test_taxed_order_and_invoice_through_graphql(running: Running) -> None:
    lines = [{"sku": "FG13", "quantity": "2"}, {"sku": "FG19", "quantity": "3"}]
    lines.append({"sku": "FG35", "quantity": "1"})
    order_input = {"idempotencyKey": "e2e-tax-1", "customerId": "EU01:10100001", "lines": lines}
    placed = (await running.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
    assert placed["errors"] == []
    order = placed["order"]
    for line in order["lines"]:
        expected = _amount(line["netAmount"]) * RATES[line["sku"]]
        assert _amount(line["taxAmount"]) == expected.quantize(Decimal("0.01"), ROUND_HALF_UP)
    net, tax = _amount(order["netAmount"]), _amount(order["taxAmount"])
    assert tax == sum(_amount(line["taxAmount"]) for line in order["lines"])
    assert tax > 0
    assert _amount(order["grossAmount"]) == net + tax
    read = (await running.gql(ORDER, {"id": order["id"]}))["data"]["salesOrder"]
    assert {k: read[k] for k in ("netAmount", "taxAmount", "grossAmount")} == {
        k: order[k] for k in ("netAmount", "taxAmount", "grossAmount")
    }
    items = [r for r in running.sap.rows("A_SalesOrderItem") if r["SalesOrder"] == order["number"]]
    assert sum(item["TaxAmount"] for item in items) == tax

    assert (await running.gql(FULFIL, {"id": order["id"]}))["data"]["fulfillOrder"]["errors"] == []
    invoiced = (await running.gql(INVOICE, {"id": order["id"]}))["data"]["invoiceOrder"]
    assert invoiced["errors"] == []
    invoice = invoiced["invoice"]
    assert (_amount(invoice["netAmount"]), _amount(invoice["taxAmount"])) == (net, tax)
    assert _amount(invoice["grossAmount"]) == net + tax
    [document] = [
        row
        for row in running.sap.rows("A_BillingDocument")
        if row["BillingDocument"] == invoice["number"]
    ]
    assert (document["TotalNetAmount"], document["TaxAmount"], document["TotalGrossAmount"]) == (
        net,
        tax,
        net + tax,
    )
