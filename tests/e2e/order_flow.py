"""Order to invoice through GraphQL, as a client sees it on any ERP: placed twice with one
idempotency key (one order, the same answer), fulfilled, invoiced, and its status read back.
Each ERP's test then checks the ERP's own records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import Running

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id number status netAmount { amount currency } lines { sku location } }
    errors { __typename message code field }
  }
}"""
FULFIL = """
mutation Fulfil($id: ID!) {
  fulfillOrder(orderId: $id) {
    delivery { id number goodsIssued }
    errors { __typename message code field }
  }
}"""
INVOICE = """
mutation Invoice($id: ID!) {
  invoiceOrder(orderId: $id) {
    invoice { id number status netAmount { amount } taxAmount { amount } grossAmount { amount } }
    errors { __typename message code field }
  }
}"""
STATUS = """
query Status($id: ID!) {
  orderStatus(orderId: $id) { status deliveries { number } invoices { number } }
}"""


async def order_to_invoice(
    running: Running, order_input: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order and its invoice, after the whole flow and the checks a client makes."""
    first = (await running.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
    second = (await running.gql(PLACE, {"input": order_input}))["data"]["placeOrder"]
    assert first["errors"] == []
    assert second == first
    order: dict[str, Any] = first["order"]
    assert order["status"] == "ORDERED"

    fulfilled = (await running.gql(FULFIL, {"id": order["id"]}))["data"]["fulfillOrder"]
    assert fulfilled["errors"] == []
    assert fulfilled["delivery"]["goodsIssued"] is True

    invoiced = (await running.gql(INVOICE, {"id": order["id"]}))["data"]["invoiceOrder"]
    assert invoiced["errors"] == []
    invoice: dict[str, Any] = invoiced["invoice"]
    assert Decimal(invoice["netAmount"]["amount"]) == Decimal(order["netAmount"]["amount"])
    assert Decimal(invoice["grossAmount"]["amount"]) == Decimal(
        invoice["netAmount"]["amount"]
    ) + Decimal(invoice["taxAmount"]["amount"])

    status = (await running.gql(STATUS, {"id": order["id"]}))["data"]["orderStatus"]
    assert status["status"] == "INVOICED"
    assert (len(status["deliveries"]), len(status["invoices"])) == (1, 1)
    return order, invoice
