"""Cancelling an order through GraphQL, checked in the SAP sandbox behind the gateway."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Running
from tests.e2e.order_flow import FULFIL, PLACE, STATUS
from tests.e2e.test_order_to_invoice import stocked_product

CANCEL = """
mutation Cancel($id: ID!, $key: String!, $reason: String) {
  cancelOrder(orderId: $id, idempotencyKey: $key, reason: $reason) {
    order { id status }
    errors { __typename message code field ... on NotCancellableError { reason } }
  }
}"""


async def place(running: Running, key: str) -> str:
    customer, sku, _ = await stocked_product(running)
    order_input: dict[str, Any] = {
        "idempotencyKey": key,
        "customerId": customer,
        "lines": [{"sku": sku, "quantity": "1"}],
    }
    body = await running.gql(PLACE, {"input": order_input})
    order: dict[str, Any] = body["data"]["placeOrder"]["order"]
    return str(order["id"])


def items_of(running: Running, order_id: str) -> list[dict[str, Any]]:
    number = order_id.split(":", 1)[1]
    return [row for row in running.sap.rows("A_SalesOrderItem") if row["SalesOrder"] == number]


async def test_place_cancel_and_read_back_cancelled(running: Running) -> None:
    order_id = await place(running, "e2e-cancel-1")
    variables = {"id": order_id, "key": "e2e-cancel-1", "reason": "customer withdrew"}

    body = await running.gql(CANCEL, variables)

    result = body["data"]["cancelOrder"]
    assert result["errors"] == []
    assert result["order"] == {"id": order_id, "status": "CANCELLED"}
    status = await running.gql(STATUS, {"id": order_id})
    assert status["data"]["orderStatus"]["status"] == "CANCELLED"
    # In SAP itself: every item carries the connection's reason for rejection.
    assert {row["SalesDocumentRjcnReason"] for row in items_of(running, order_id)} == {"50"}
    header = next(
        row
        for row in running.sap.rows("A_SalesOrder")
        if row["SalesOrder"] == order_id.split(":", 1)[1]
    )
    assert header["OverallSDDocumentRejectionSts"] == "C"

    again = await running.gql(CANCEL, variables)
    assert again["data"]["cancelOrder"] == result
    listed = await running.gql(
        "{ salesOrders(first: 100, filter: { status: CANCELLED }) { nodes { id } } }"
    )
    assert [n["id"] for n in listed["data"]["salesOrders"]["nodes"]] == [order_id]


async def test_cancel_after_shipping_is_refused_and_changes_nothing(running: Running) -> None:
    order_id = await place(running, "e2e-cancel-2")
    shipped = await running.gql(FULFIL, {"id": order_id})
    assert shipped["data"]["fulfillOrder"]["errors"] == []
    before = items_of(running, order_id)

    body = await running.gql(CANCEL, {"id": order_id, "key": "e2e-cancel-2"})

    result = body["data"]["cancelOrder"]
    assert result["order"] is None
    [error] = result["errors"]
    assert error["__typename"] == "NotCancellableError"
    assert (error["code"], error["field"], error["reason"]) == (
        "NOT_CANCELLABLE",
        "orderId",
        "shipped",
    )
    assert "goods were issued" in error["message"]
    assert items_of(running, order_id) == before
    status = await running.gql(STATUS, {"id": order_id})
    assert status["data"]["orderStatus"]["status"] == "SHIPPED"
