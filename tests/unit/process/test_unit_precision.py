"""Quantities finer than their unit allows are refused before the ERP is written to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from process_apis.connections import Connections
from process_apis.errors import InvalidInput
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.unit_precision import decimals_of
from system_apis.contracts.port import ErpAdapter
from tests.fakes.memory_erp import MemoryErp
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore


@pytest.fixture
def erp_() -> MemoryErp:
    fake = MemoryErp("EU01")
    fake.add_customer("100", "Acme GmbH")
    fake.add_product("TG11", "Trailer hitch", "25.00", {"1010/0001": "10"}, unit_decimals=0)
    fake.add_product("SAND", "Sand", "0.40", {"1010/0001": "500"}, unit="KG", unit_decimals=3)
    fake.add_product("ROPE", "Rope", "1.10", {"1010/0001": "80"}, unit="M", unit_decimals=1)
    fake.add_product("MISC", "Sundries", "1.00", {"1010/0001": "9"}, unit="ZZ")
    return fake


@pytest.fixture
def flow(erp_: MemoryErp) -> OrderToInvoice:
    adapter: ErpAdapter = erp_
    return OrderToInvoice(
        Connections({"EU01": adapter}), MemoryIdempotencyStore(), MemoryQuarantineStore()
    )


def order(*lines: tuple[str, str]) -> PlaceOrder:
    return PlaceOrder.parse(
        idempotency_key="k-1",
        customer_id="EU01:100",
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
    )


async def test_fraction_of_a_piece_is_refused_naming_the_line(
    flow: OrderToInvoice, erp_: MemoryErp
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await flow.place_order(order(("SAND", "2.5"), ("TG11", "0.333")))
    assert caught.value.field == "lines.1.quantity"
    assert str(caught.value).startswith("lines.1.quantity: PC allows no decimals")
    assert erp_.orders == {}


async def test_more_decimals_than_the_unit_has_are_refused(flow: OrderToInvoice) -> None:
    with pytest.raises(InvalidInput) as caught:
        await flow.place_order(order(("ROPE", "2.25")))
    assert caught.value.field == "lines.0.quantity"
    assert "M allows at most 1 decimal place" in str(caught.value)


async def test_quantities_within_the_unit_are_placed(flow: OrderToInvoice) -> None:
    placed = await flow.place_order(
        order(("TG11", "3.000"), ("SAND", "2.125"), ("ROPE", "1.5"), ("MISC", "0.75"))
    )
    assert [(line.sku, line.quantity.value) for line in placed.lines] == [
        ("TG11", Decimal(3)),
        ("SAND", Decimal("2.125")),
        ("ROPE", Decimal("1.5")),
        ("MISC", Decimal("0.75")),
    ]


def test_decimals_of_ignore_trailing_zeros() -> None:
    assert [decimals_of(Decimal(v)) for v in ("3", "3.000", "2.50", "0.333", "1E+2")] == [
        0,
        0,
        1,
        3,
        0,
    ]
