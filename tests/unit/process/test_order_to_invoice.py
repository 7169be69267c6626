"""Order-to-invoice over an in-memory ERP: what a caller of the flow observes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from process_apis.connections import Connections
from process_apis.errors import (
    ErpUnavailable,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    OutOfStock,
    RecordNotFound,
)
from process_apis.idempotency.port import KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from system_apis.contracts import errors as erp
from system_apis.contracts.limits import FieldLimits
from system_apis.contracts.models import Delivery, DocumentStatus, Invoice, OrderStatus
from system_apis.contracts.port import ErpAdapter
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10", "1710/171A": "3"})
    fake.add_product("TG12", "Roof box", "199.90", {"1010/0001": "2"})
    return fake


@pytest.fixture
def store() -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore()


@pytest.fixture
def quarantine() -> MemoryQuarantineStore:
    return MemoryQuarantineStore()


@pytest.fixture
def flow(
    erp_: MemoryErp, store: MemoryIdempotencyStore, quarantine: MemoryQuarantineStore
) -> OrderToInvoice:
    adapter: ErpAdapter = erp_
    return OrderToInvoice(Connections({"EU01": adapter}), store, quarantine)


def order(key: str = "k-1", **overrides: object) -> PlaceOrder:
    data: dict[str, object] = {
        "idempotency_key": key,
        "customer_id": "EU01:100",
        "lines": [{"sku": "TG11", "quantity": "4"}, {"sku": "TG12", "quantity": "1"}],
    }
    data.update(overrides)
    return PlaceOrder.parse(**data)


async def test_place_fulfil_invoice(flow: OrderToInvoice, erp_: MemoryErp) -> None:
    placed = await flow.place_order(order())
    assert placed.status is OrderStatus.ORDERED
    assert placed.net_amount.amount == Decimal("299.90")
    assert [line.location for line in placed.lines] == ["1010/0001", "1010/0001"]

    delivery = await flow.fulfil_order(placed.id)
    assert delivery.goods_issued
    assert erp_.stock[("TG11", "1010/0001")] == Decimal(6)
    assert erp_.stock[("TG12", "1010/0001")] == Decimal(1)

    invoice = await flow.invoice_order(placed.id)
    assert invoice.gross_amount.amount == Decimal("356.88")
    progress = await flow.progress(placed.id)
    assert progress.status is OrderStatus.INVOICED
    assert [d.id for d in progress.deliveries] == [delivery.id]
    assert [i.id for i in progress.invoices] == [invoice.id]


async def test_same_key_same_input_returns_first_order(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    first = await flow.place_order(order())
    again = await flow.place_order(order())
    assert again == first
    assert len(erp_.orders) == 1


async def test_same_key_other_input_is_refused(flow: OrderToInvoice, erp_: MemoryErp) -> None:
    await flow.place_order(order())
    with pytest.raises(IdempotencyConflict, match="different order"):
        await flow.place_order(order(lines=[{"sku": "TG11", "quantity": "5"}]))
    assert len(erp_.orders) == 1


async def test_same_order_spelled_differently_is_the_same_request(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    first = await flow.place_order(order())
    again = await flow.place_order(
        order(lines=[{"sku": "TG12", "quantity": "1.000"}, {"sku": "TG11", "quantity": "4.0"}])
    )
    assert again == first
    assert len(erp_.orders) == 1


async def test_concurrent_duplicates_create_one_order(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    results = await asyncio.gather(
        *(flow.place_order(order()) for _ in range(5)), return_exceptions=True
    )
    created = {r.id for r in results if not isinstance(r, BaseException)}
    assert len(created) == 1
    assert all(isinstance(r, IdempotencyConflict) for r in results if isinstance(r, Exception))
    assert len(erp_.orders) == 1


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"customer_id": "EU01:999"}, RecordNotFound, "customer_id"),
        ({"customer_id": "nocolon"}, InvalidInput, "customer_id"),
        ({"customer_id": "US01:100"}, InvalidInput, "customer_id"),
        ({"lines": [{"sku": "NOPE", "quantity": "1"}]}, RecordNotFound, "lines.0.sku"),
        ({"lines": [{"sku": "TG11", "quantity": "0"}]}, InvalidInput, "lines.0.quantity"),
        ({"lines": [{"sku": "TG11", "quantity": "-2"}]}, InvalidInput, "lines.0.quantity"),
        ({"lines": [{"sku": "TG11", "quantity": "11"}]}, OutOfStock, "lines.0.quantity"),
        ({"lines": []}, InvalidInput, "lines"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    store: MemoryIdempotencyStore,
    overrides: dict[str, object],
    error: type[Exception],
    field: str,
) -> None:
    with pytest.raises(error) as caught:
        await flow.place_order(order(**overrides))
    assert getattr(caught.value, "field", None) == field
    assert erp_.calls["create_sales_order"] == 0
    assert store.records == {}


async def test_stock_is_checked_per_location(flow: OrderToInvoice) -> None:
    # 13 in total, but no single location can ship 11.
    with pytest.raises(OutOfStock) as caught:
        await flow.place_order(order(lines=[{"sku": "TG11", "quantity": "11"}]))
    assert caught.value.available == Decimal(10)


async def test_a_key_freed_by_bad_input_can_be_used_again(flow: OrderToInvoice) -> None:
    with pytest.raises(OutOfStock):
        await flow.place_order(order(lines=[{"sku": "TG11", "quantity": "99"}]))
    placed = await flow.place_order(order(lines=[{"sku": "TG11", "quantity": "1"}]))
    assert placed.lines[0].quantity.value == 1


async def test_lost_answer_finds_the_order_instead_of_failing(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    real_create = erp_.create_sales_order

    async def create_then_lose_answer(draft):  # type: ignore[no-untyped-def]
        await real_create(draft)
        raise erp.UnknownOutcome("read timeout after the request was sent")

    erp_.create_sales_order = create_then_lose_answer  # type: ignore[method-assign]
    placed = await flow.place_order(order())
    assert len(erp_.orders) == 1
    assert placed.external_reference == order().external_reference(erp_.limits)


async def test_an_erp_with_a_short_reference_field_finds_its_orders_again(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    erp_.limits = FieldLimits(order_reference=20)
    real_create = erp_.create_sales_order

    async def create_then_lose_answer(draft):  # type: ignore[no-untyped-def]
        await real_create(draft)
        raise erp.UnknownOutcome("read timeout after the request was sent")

    erp_.create_sales_order = create_then_lose_answer  # type: ignore[method-assign]
    placed = await flow.place_order(order())

    assert len(erp_.orders) == 1
    assert placed.external_reference is not None
    assert len(placed.external_reference) == 20


async def test_erp_outage_keeps_the_order_in_quarantine(
    flow: OrderToInvoice,
    erp_: MemoryErp,
    store: MemoryIdempotencyStore,
    quarantine: MemoryQuarantineStore,
) -> None:
    erp_.fail_with["create_sales_order"] = lambda: erp.Unavailable("503 from the ERP")
    with pytest.raises(ErpUnavailable, match="accepted into quarantine"):
        await flow.place_order(order())
    [record] = quarantine.records.values()
    assert record.payload == order().model_dump(mode="json")
    # The key stays claimed: the quarantine holds it until the order is replayed.
    assert [r.state for r in store.records.values()] == [KeyState.IN_PROGRESS]


async def test_fulfil_twice_ships_once(flow: OrderToInvoice, erp_: MemoryErp) -> None:
    placed = await flow.place_order(order())
    first = await flow.fulfil_order(placed.id)
    second = await flow.fulfil_order(placed.id)
    assert first.id == second.id
    assert len(erp_.deliveries) == 1
    assert erp_.stock[("TG11", "1010/0001")] == Decimal(6)


async def test_invoice_before_shipping_is_refused(flow: OrderToInvoice, erp_: MemoryErp) -> None:
    placed = await flow.place_order(order())
    with pytest.raises(InvalidState, match="not been shipped"):
        await flow.invoice_order(placed.id)
    assert erp_.invoices == {}


async def test_invoice_twice_bills_once(flow: OrderToInvoice, erp_: MemoryErp) -> None:
    placed = await flow.place_order(order())
    await flow.fulfil_order(placed.id)
    first = await flow.invoice_order(placed.id)
    second = await flow.invoice_order(placed.id)
    assert first.id == second.id
    assert len(erp_.invoices) == 1
    assert erp_.orders[placed.native_id].billing_status is DocumentStatus.COMPLETE


async def test_unknown_order(flow: OrderToInvoice) -> None:
    with pytest.raises(RecordNotFound):
        await flow.fulfil_order("EU01:424242")


async def test_failed_goods_issue_leaves_the_order_unshipped(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    placed = await flow.place_order(order(lines=[{"sku": "TG12", "quantity": "2"}]))
    erp_.stock[("TG12", "1010/0001")] = Decimal(1)  # sold elsewhere meanwhile
    with pytest.raises(InvalidState, match="cannot be shipped"):
        await flow.fulfil_order(placed.id)
    progress = await flow.progress(placed.id)
    assert progress.status is OrderStatus.ORDERED
    assert [d.goods_issued for d in progress.deliveries] == [False]
    with pytest.raises(InvalidState, match="not been shipped"):
        await flow.invoice_order(placed.id)

    erp_.stock[("TG12", "1010/0001")] = Decimal(5)  # stock arrived: the same delivery ships
    delivery = await flow.fulfil_order(placed.id)
    assert delivery.id == progress.deliveries[0].id
    assert (await flow.progress(placed.id)).status is OrderStatus.SHIPPED


class SlowWrites(MemoryErp):
    """A MemoryErp whose invoice writes wait at a gate before they act."""

    def __init__(self) -> None:
        super().__init__("EU01")
        self.gate = asyncio.Event()

    async def create_invoice(self, order_native_id: str) -> Invoice:
        await self.gate.wait()
        return await super().create_invoice(order_native_id)


@pytest.fixture
def slow_erp() -> SlowWrites:
    fake = SlowWrites()
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"})
    fake.gate.set()
    return fake


async def test_an_invoice_retried_during_a_slow_answer_returns_the_invoice(
    slow_erp: SlowWrites, store: MemoryIdempotencyStore, quarantine: MemoryQuarantineStore
) -> None:
    flow = OrderToInvoice(Connections({"EU01": slow_erp}), store, quarantine)
    placed = await flow.place_order(order(lines=[{"sku": "TG11", "quantity": "1"}]))
    await flow.fulfil_order(placed.id)
    slow_erp.gate.clear()
    first = asyncio.create_task(flow.invoice_order(placed.id))
    retry = asyncio.create_task(flow.invoice_order(placed.id))  # the client gave up waiting
    await asyncio.sleep(0.01)  # both read the order unbilled and sent the write
    slow_erp.gate.set()
    invoices = await asyncio.gather(first, retry)

    assert [i.id for i in invoices] == [invoices[0].id] * 2
    assert len(slow_erp.invoices) == 1


async def test_a_delivery_whose_answer_was_lost_is_used_not_refused(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    placed = await flow.place_order(order())
    real = erp_.create_delivery

    async def made_but_lost(native: str) -> Delivery:
        await real(native)
        raise erp.UnknownOutcome("no answer")

    erp_.create_delivery = made_but_lost  # type: ignore[method-assign]
    delivery = await flow.fulfil_order(placed.id)

    assert delivery.goods_issued
    assert [d.id for d in erp_.deliveries.values()] == [delivery.id]
    assert erp_.stock[("TG11", "1010/0001")] == Decimal(6)


async def test_an_invoice_whose_answer_was_lost_is_found_on_retry(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    placed = await flow.place_order(order())
    await flow.fulfil_order(placed.id)
    real = erp_.create_invoice

    async def billed_but_lost(native: str) -> Invoice:
        await real(native)
        raise erp.UnknownOutcome("no answer")

    erp_.create_invoice = billed_but_lost  # type: ignore[method-assign]
    invoice = await flow.invoice_order(placed.id)
    assert next(iter(erp_.invoices.values())).id == invoice.id
