"""Cancelling an order through the flow: once per key, an event, refusals that free the key."""

from __future__ import annotations

import pytest

from process_apis.connections import Connections
from process_apis.errors import IdempotencyConflict, InvalidInput, NotCancellable
from process_apis.events.model import EventType
from process_apis.order_to_invoice.cancelling import CancelOrder
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from system_apis.contracts.models import OrderStatus
from system_apis.contracts.port import ErpAdapter
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"})
    return fake


@pytest.fixture
def store() -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore()


@pytest.fixture
def flow(erp_: MemoryErp, store: MemoryIdempotencyStore) -> OrderToInvoice:
    adapter: ErpAdapter = erp_
    return OrderToInvoice(Connections({"EU01": adapter}), store, MemoryQuarantineStore())


async def _placed(flow: OrderToInvoice, key: str = "p-1") -> str:
    order = await flow.place_order(
        PlaceOrder.parse(
            idempotency_key=key,
            customer_id="EU01:100",
            lines=[{"sku": "TG11", "quantity": "2"}],
        )
    )
    return order.id


def cancel(order_id: str, key: str = "c-1", reason: str | None = "withdrawn") -> CancelOrder:
    return CancelOrder.parse(idempotency_key=key, order_id=order_id, reason=reason)


async def test_cancelled_once_per_key_with_one_event(
    flow: OrderToInvoice, erp_: MemoryErp, store: MemoryIdempotencyStore
) -> None:
    order_id = await _placed(flow)

    cancelled = await flow.cancel_order(cancel(order_id))
    again = await flow.cancel_order(cancel(order_id))

    assert (cancelled.id, cancelled.status) == (order_id, OrderStatus.CANCELLED)
    assert again == cancelled
    assert erp_.calls["cancel_order"] == 1  # the repeat is answered from the key
    assert erp_.cancel_reasons[order_id.split(":")[1]] == "withdrawn"
    status_events = [e for e in store.events if e.type is EventType.ORDER_STATUS_CHANGED]
    assert [e.data["status"] for e in status_events] == ["ordered", "cancelled"]
    with pytest.raises(IdempotencyConflict):
        await flow.cancel_order(cancel(order_id, reason="another reason"))


async def test_a_shipped_order_is_refused_naming_why_and_the_key_stays_free(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    order_id = await _placed(flow)
    await flow.fulfil_order(order_id)

    with pytest.raises(NotCancellable) as refused:
        await flow.cancel_order(cancel(order_id))

    assert refused.value.reason == "shipped"
    assert refused.value.field == "order_id"
    assert "cannot be cancelled" in refused.value.message
    assert (await flow.progress(order_id)).status is OrderStatus.SHIPPED
    # Nothing was recorded under the key: another order may be cancelled with it.
    other = await _placed(flow, key="p-2")
    assert (await flow.cancel_order(cancel(other))).status is OrderStatus.CANCELLED


async def test_bad_input_is_refused_before_the_erp_is_asked(erp_: MemoryErp) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        CancelOrder.parse(idempotency_key="c-1", order_id="EU01:1", reason="x" * 256)
    with pytest.raises(InvalidInput, match="idempotency_key"):
        CancelOrder.parse(idempotency_key="", order_id="EU01:1")
    assert erp_.calls["cancel_order"] == 0
