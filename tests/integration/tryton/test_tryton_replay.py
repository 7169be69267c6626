"""Placing an order again after the gateway stopped half-way through creating it in Tryton.

Creating a sale takes three Tryton transactions (create, quote, confirm). The crash is
simulated where it hurts: Tryton carries out the step and commits, and the gateway never hears
the answer. The order placed again with the same reference must end as one confirmed sale.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import ErpError
from system_apis.contracts.models import OrderStatus
from system_apis.contracts.queries import CustomerFilter, PageRequest
from tests.integration.tryton.tryton_support import make_adapter
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

STEPS = ("model.sale.sale.create", "model.sale.sale.quote", "model.sale.sale.confirm")


class StopsAfter(RecordingTransport):
    """Sends every request; once Tryton has answered ``method``, the answer is lost."""

    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if json.loads(request.content).get("method") == self.method:
            await response.aread()
            raise httpx.ReadError("the gateway stopped here", request=request)
        return response


def draft(customer: str, reference: str) -> SalesOrderDraft:
    return SalesOrderDraft(
        customer_native_id=customer,
        external_reference=reference,
        lines=(OrderLineDraft(sku="US-1014", quantity=Decimal(2)),),
    )


async def test_an_order_interrupted_after_any_step_becomes_one_sale(tryton_fresh: Any) -> None:
    reader = make_adapter(tryton_fresh)
    (customer,) = (
        await reader.list_customers(CustomerFilter(name_contains="Hudson Office"), PageRequest())
    ).items
    with tryton_fresh.rpc() as rpc:
        for step in STEPS:
            reference = f"GW-CRASH-{step.rsplit('.', 1)[-1]}"
            crashing = make_adapter(tryton_fresh, StopsAfter(step))
            with pytest.raises(ErpError):
                await crashing.create_sales_order(draft(customer.native_id, reference))
            await crashing.aclose()

            order = await reader.create_sales_order(draft(customer.native_id, reference))

            sales = rpc.search_read("sale.sale", [("reference", "=", reference)], ["state"])
            assert [(str(s["id"]), s["state"]) for s in sales] == [
                (order.native_id, "processing")
            ], f"after a crash following {step}"
            assert order.status is OrderStatus.ORDERED
            assert [(line.sku, line.quantity.value) for line in order.lines] == [
                ("US-1014", Decimal(2))
            ]
    await reader.aclose()
