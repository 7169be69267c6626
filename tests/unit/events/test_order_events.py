"""What the order flow announces: placed with the key's completion, shipped and invoiced
after the ERP answered; each change once, with canonical data only."""

from __future__ import annotations

import pytest

from process_apis.connections import Connections
from process_apis.events.model import EventType
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_outbox import MemoryOutbox
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"})
    return fake


@pytest.fixture
def keys() -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore()


@pytest.fixture
def outbox() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def flow(erp_: MemoryErp, keys: MemoryIdempotencyStore, outbox: MemoryOutbox) -> OrderToInvoice:
    return OrderToInvoice(Connections({"EU01": erp_}), keys, MemoryQuarantineStore(), outbox=outbox)


def place(key: str = "k-1") -> PlaceOrder:
    return PlaceOrder.parse(
        idempotency_key=key,
        customer_id="EU01:100",
        lines=[{"sku": "TG11", "quantity": "4"}],
    )


async def test_placing_stages_the_order_and_its_status_with_the_key(
    flow: OrderToInvoice, keys: MemoryIdempotencyStore
) -> None:
    order = await flow.place_order(place())
    placed, status = keys.events
    assert (placed.type, status.type) == (EventType.ORDER_PLACED, EventType.ORDER_STATUS_CHANGED)
    assert placed.aggregate == status.aggregate == f"order:{order.id}"
    assert placed.connection == "EU01"
    assert placed.data == {
        "order_id": order.id,
        "number": order.number,
        "customer_id": "EU01:100",
        "external_reference": order.external_reference,
        "order_date": order.order_date.isoformat(),
        "status": "ordered",
        "net_amount": {"amount": "100.00", "currency": order.net_amount.currency},
        "tax_amount": {"amount": "19.00", "currency": order.net_amount.currency},
        "gross_amount": {"amount": "119.00", "currency": order.net_amount.currency},
        "connection": "EU01",
    }
    assert status.data["status"] == "ordered"

    await flow.place_order(place())  # a retry answers from the key: nothing new
    assert len(keys.events) == 2


async def test_a_failed_placement_stages_nothing(
    flow: OrderToInvoice, keys: MemoryIdempotencyStore
) -> None:
    with pytest.raises(Exception, match="stock"):
        await flow.place_order(
            PlaceOrder.parse(
                idempotency_key="k-2",
                customer_id="EU01:100",
                lines=[{"sku": "TG11", "quantity": "40"}],
            )
        )
    assert keys.events == []


async def test_fulfil_and_invoice_announce_each_status_once(
    flow: OrderToInvoice, outbox: MemoryOutbox
) -> None:
    order = await flow.place_order(place())
    await flow.fulfil_order(order.id)
    await flow.fulfil_order(order.id)  # a repeat changes nothing
    invoice = await flow.invoice_order(order.id)
    await flow.invoice_order(order.id)

    assert [(e.type.value, e.data.get("status")) for e in outbox.events] == [
        ("order.status_changed", "shipped"),
        ("invoice.issued", invoice.status.value),
        ("order.status_changed", "invoiced"),
    ]
    issued = outbox.events[1]
    assert issued.aggregate == f"invoice:{invoice.id}"
    assert issued.data["order_ids"] == [order.id]
    assert issued.data["gross_amount"] == {
        "amount": str(invoice.gross_amount.amount),
        "currency": invoice.gross_amount.currency,
    }
    assert all(e.connection == "EU01" for e in outbox.events)
