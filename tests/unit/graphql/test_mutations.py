"""Mutations: the order-to-invoice steps and the typed user errors of each failure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from system_apis.contracts import errors as erp_errors
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, data, only_error

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id status customer { name } lines { sku quantity { value } location } }
    errors {
      __typename message code field
      ... on OutOfStockError { sku requested available }
      ... on ErpUnavailableError { retryAfter quarantineId }
    }
  }
}"""
FULFIL = """
mutation Fulfil($id: ID!) {
  fulfillOrder(orderId: $id) {
    delivery { id goodsIssued goodsIssueDate lines { sku quantity { value } orderId } }
    order { id status deliveryStatus }
    errors { __typename message code field }
  }
}"""
INVOICE = """
mutation Invoice($id: ID!) {
  invoiceOrder(orderId: $id) {
    invoice { id status netAmount { amount } grossAmount { amount } customer { name } }
    errors { __typename message code field }
  }
}"""
STATUS = """
query Status($id: ID!) {
  orderStatus(orderId: $id) {
    status
    order { number deliveries { number } invoices { number } }
    deliveries { number goodsIssued }
    invoices { number status }
  }
}"""


def order_input(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "idempotencyKey": "key-1",
        "customerId": "EU01:100",
        "lines": [{"sku": "P-1", "quantity": "3"}],
    }
    return base | changes


async def place(gql: Run, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = data(await gql(PLACE, {"input": order_input(**changes)}))[
        "placeOrder"
    ]
    return payload


async def test_place_order(gql: Run, erp: MemoryErp) -> None:
    payload = await place(gql)

    assert payload["errors"] == []
    assert payload["order"] == {
        "id": "EU01:1",
        "status": "ORDERED",
        "customer": {"name": "Acme GmbH"},
        "lines": [{"sku": "P-1", "quantity": {"value": "3"}, "location": "1010/0001"}],
    }
    assert len(erp.orders) == 1


async def test_place_order_again_with_the_same_key_returns_the_first_order(
    gql: Run, erp: MemoryErp
) -> None:
    first = await place(gql)
    again = await place(gql)

    assert again == first
    assert erp.calls["create_sales_order"] == 1


@pytest.mark.parametrize(
    ("changes", "typename", "code", "field"),
    [
        ({"customerId": "EU01:999"}, "NotFoundError", "NOT_FOUND", "customerId"),
        ({"customerId": "nonsense"}, "ValidationError", "INVALID_INPUT", "customerId"),
        ({"customerId": "XX01:100"}, "ValidationError", "INVALID_INPUT", "customerId"),
        (
            {"lines": [{"sku": "NOPE", "quantity": "1"}]},
            "NotFoundError",
            "NOT_FOUND",
            "lines.0.sku",
        ),
        (
            {"lines": [{"sku": "P-1", "quantity": "0"}]},
            "ValidationError",
            "INVALID_INPUT",
            "lines.0.quantity",
        ),
        (
            {"lines": [{"sku": "P-1", "quantity": "-2"}]},
            "ValidationError",
            "INVALID_INPUT",
            "lines.0.quantity",
        ),
        ({"lines": []}, "ValidationError", "INVALID_INPUT", "lines"),
        ({"idempotencyKey": ""}, "ValidationError", "INVALID_INPUT", "idempotencyKey"),
        (
            {"lines": [{"sku": "P-1", "quantity": "1", "location": "9999/X"}]},
            "ValidationError",
            "INVALID_INPUT",
            "lines.0",
        ),
    ],
)
async def test_rejected_order_writes_nothing(
    gql: Run, erp: MemoryErp, changes: dict[str, Any], typename: str, code: str, field: str
) -> None:
    payload = await place(gql, **changes)

    assert payload["order"] is None
    [error] = payload["errors"]
    assert (error["__typename"], error["code"], error["field"]) == (typename, code, field)
    assert error["message"]
    assert erp.calls["create_sales_order"] == 0


async def test_out_of_stock(gql: Run, erp: MemoryErp) -> None:
    payload = await place(gql, lines=[{"sku": "P-3", "quantity": "5"}])

    [error] = payload["errors"]
    assert error == {
        "__typename": "OutOfStockError",
        "message": "not enough stock of 'P-3': requested 5, available 3",
        "code": "OUT_OF_STOCK",
        "field": "lines.0.quantity",
        "sku": "P-3",
        "requested": "5",
        "available": "3",
    }
    assert erp.orders == {}


async def test_key_reused_for_another_order_is_a_conflict(gql: Run, erp: MemoryErp) -> None:
    await place(gql)
    payload = await place(gql, lines=[{"sku": "P-2", "quantity": "1"}])

    [error] = payload["errors"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "ConflictError",
        "IDEMPOTENCY_CONFLICT",
        "idempotencyKey",
    )
    assert len(erp.orders) == 1


async def test_blocked_customer_is_an_invalid_state(gql: Run, erp: MemoryErp) -> None:
    erp.customers["100"] = erp.customers["100"].model_copy(update={"blocked": True})

    [error] = (await place(gql))["errors"]
    assert (error["__typename"], error["field"]) == ("InvalidStateError", "customerId")


async def test_erp_unavailable_is_a_user_error_with_retry_after(gql: Run, erp: MemoryErp) -> None:
    erp.fail_with["create_sales_order"] = lambda: erp_errors.Throttled(
        "HTTP 429 from https://sap.internal/sap/opu/odata", retry_after=30
    )

    [error] = (await place(gql))["errors"]
    quarantine_id = error.pop("quarantineId")
    assert error == {
        "__typename": "ErpUnavailableError",
        "message": "the ERP is unavailable; the order was accepted into quarantine "
        f"{quarantine_id} for review and will be placed when it is replayed",
        "code": "ERP_UNAVAILABLE",
        "field": None,
        "retryAfter": 30.0,
    }


async def test_fulfil_then_invoice_then_status(gql: Run, erp: MemoryErp) -> None:
    order_id = (await place(gql))["order"]["id"]

    fulfilled = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]
    assert fulfilled["errors"] == []
    assert fulfilled["delivery"]["goodsIssued"] is True
    assert fulfilled["delivery"]["lines"] == [
        {"sku": "P-1", "quantity": {"value": "3"}, "orderId": order_id}
    ]
    assert fulfilled["order"] == {"id": order_id, "status": "SHIPPED", "deliveryStatus": "COMPLETE"}
    assert erp.stock[("P-1", "1010/0001")] == Decimal(497)

    invoiced = data(await gql(INVOICE, {"id": order_id}))["invoiceOrder"]
    assert invoiced["errors"] == []
    assert invoiced["invoice"]["status"] == "POSTED"
    assert invoiced["invoice"]["netAmount"] == {"amount": "7.50"}
    assert invoiced["invoice"]["customer"] == {"name": "Acme GmbH"}

    erp.calls.clear()
    status = data(await gql(STATUS, {"id": order_id}))["orderStatus"]
    assert status["status"] == "INVOICED"
    assert len(status["deliveries"]) == len(status["invoices"]) == 1
    assert status["order"]["deliveries"] == [{"number": status["deliveries"][0]["number"]}]
    assert status["order"]["invoices"] == [{"number": status["invoices"][0]["number"]}]
    # The order's nested documents come from what orderStatus already read.
    assert erp.calls["list_deliveries"] == erp.calls["list_invoices"] == 1


async def test_fulfil_and_invoice_again_return_the_same_documents(gql: Run, erp: MemoryErp) -> None:
    order_id = (await place(gql))["order"]["id"]
    delivery = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]["delivery"]
    invoice = data(await gql(INVOICE, {"id": order_id}))["invoiceOrder"]["invoice"]

    again_delivery = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]["delivery"]
    again_invoice = data(await gql(INVOICE, {"id": order_id}))["invoiceOrder"]["invoice"]

    assert again_delivery["id"] == delivery["id"]
    assert again_invoice["id"] == invoice["id"]
    assert erp.calls["create_delivery"] == erp.calls["create_invoice"] == 1


async def test_invoice_before_shipping_is_an_invalid_state(gql: Run) -> None:
    order_id = (await place(gql))["order"]["id"]

    payload = data(await gql(INVOICE, {"id": order_id}))["invoiceOrder"]
    assert payload["invoice"] is None
    [error] = payload["errors"]
    assert (error["__typename"], error["code"], error["field"]) == (
        "InvalidStateError",
        "INVALID_STATE",
        "orderId",
    )


async def test_fulfil_without_stock_is_an_invalid_state(gql: Run, erp: MemoryErp) -> None:
    order_id = (await place(gql))["order"]["id"]
    erp.stock[("P-1", "1010/0001")] = Decimal(1)

    payload = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]
    assert payload["delivery"] is None
    assert payload["order"] is None
    [error] = payload["errors"]
    assert (error["__typename"], error["field"]) == ("InvalidStateError", "orderId")


@pytest.mark.parametrize(
    ("order_id", "typename"),
    [("EU01:404", "NotFoundError"), ("garbage", "ValidationError")],
)
@pytest.mark.parametrize("mutation", [FULFIL, INVOICE])
async def test_steps_on_a_missing_order(
    gql: Run, order_id: str, typename: str, mutation: str
) -> None:
    result = data(await gql(mutation, {"id": order_id}))
    [payload] = result.values()
    [error] = payload["errors"]
    assert error["__typename"] == typename


async def test_quantity_that_is_not_a_number_is_refused_by_graphql(
    gql: Run, erp: MemoryErp
) -> None:
    result = await gql(PLACE, {"input": order_input(lines=[{"sku": "P-1", "quantity": "lots"}])})

    assert result.data is None
    assert "Decimal" in only_error(result)["message"]
    assert sum(erp.calls.values()) == 0


async def test_concurrent_change_in_the_erp_is_a_conflict_of_its_own(
    gql: Run, erp: MemoryErp
) -> None:
    # Not IDEMPOTENCY_CONFLICT: the key is fine, the ERP's record changed meanwhile.
    order_id = (await place(gql))["order"]["id"]
    erp.fail_with["post_goods_issue"] = lambda: erp_errors.Conflict("the delivery has changed")

    payload = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]

    assert payload["delivery"] is None
    assert payload["errors"] == [
        {
            "__typename": "ConflictError",
            "message": "concurrent change in the ERP: the delivery has changed",
            "code": "CONCURRENT_CHANGE",
            "field": None,
        }
    ]


async def test_fulfil_refused_for_short_stock_is_an_invalid_state(gql: Run, erp: MemoryErp) -> None:
    order_id = (await place(gql))["order"]["id"]
    erp.fail_with["post_goods_issue"] = lambda: erp_errors.InsufficientStock("deficit of 3 PC")

    [error] = data(await gql(FULFIL, {"id": order_id}))["fulfillOrder"]["errors"]

    assert error == {
        "__typename": "InvalidStateError",
        "message": f"order {order_id} cannot be shipped: deficit of 3 PC",
        "code": "INVALID_STATE",
        "field": "orderId",
    }
