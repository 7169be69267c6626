"""TrytonAdapter's change-capture reads and stock adjustments over an in-memory trytond: the
order it answers changes in, and what it writes (or not) for an adjustment."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.errors import InsufficientStock, NotFound
from system_apis.contracts.queries import PageRequest, SalesOrderFilter
from system_apis.tryton.adapter import TrytonAdapter
from system_apis.tryton.client import TrytonClient
from tests.unit.tryton.fake_tryton import DATABASE, FakeTryton
from tests.unit.tryton.tryton_payloads import SALES, STOCK, WAREHOUSES, result

pytestmark = pytest.mark.unit

COMPANY = {"id": 1, "party": 1, "currency.": {"id": 1, "code": "EUR"}}
SINCE = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PRODUCT = {
    "id": 1,
    "code": "SKU-001",
    "type": "goods",
    "default_uom": 1,
    "default_uom.": {"id": 1, "symbol": "u"},
}


def at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 23, 12, minute)


def answers(*queue: Any) -> Any:
    pending = list(queue)
    return lambda params: pending.pop(0)


@pytest.fixture
def fake() -> FakeTryton:
    return FakeTryton(
        {
            "model.company.company.read": lambda params: [COMPANY],
            "model.stock.location.search_read": lambda params: result(WAREHOUSES),
            "model.stock.location.read": lambda params: [{"id": 5, "lost_found_location": 4}],
        }
    )


@pytest.fixture
async def adapter(fake: FakeTryton) -> AsyncIterator[TrytonAdapter]:
    client = TrytonClient(
        "http://tryton.test", DATABASE, "gateway", "secret", transport=httpx.MockTransport(fake)
    )
    adapter = TrytonAdapter("T1", client)
    yield adapter
    await adapter.aclose()


def calls(fake: FakeTryton, method: str) -> list[list[Any]]:
    return [params for name, params in fake.calls if name == method]


async def test_changed_orders_come_by_the_later_of_their_stamps(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    stamps = [
        {"id": 1, "create_date": at(20), "write_date": None},
        {"id": 2, "create_date": at(1), "write_date": at(30)},
        {"id": 3, "create_date": at(10), "write_date": None},
    ]
    row = copy.deepcopy(result(SALES)[0])
    row["id"] = 1
    fake.handlers["model.sale.sale.search_read"] = answers(stamps, [row])

    page = await adapter.list_sales_orders(
        SalesOrderFilter(changed_since=SINCE), PageRequest(offset=1, limit=1)
    )

    assert ([o.native_id for o in page.items], page.total) == (["1"], 3)
    first, second = calls(fake, "model.sale.sale.search_read")
    assert ["OR", ["write_date", ">=", at(0)], ["create_date", ">=", at(0)]] in first[0]
    assert first[4] == ["create_date", "write_date"]
    assert second[0] == [["id", "in", [1]]]


async def test_a_repeated_reference_posts_nothing(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    fake.handlers["model.product.product.search_read"] = answers([PRODUCT], result(STOCK)[:1])
    fake.handlers["model.stock.shipment.internal.search_read"] = lambda params: [
        {"id": 9, "state": "done", "reference": "R1"}
    ]
    level = await adapter.adjust_stock(
        StockAdjustment(sku="SKU-001", location="WH/STO", quantity=Decimal(5), reference="R1")
    )
    assert level.quantity.value == 101
    assert not [
        m
        for m in fake.methods
        if m.startswith("model.stock.shipment.internal.") and not m.endswith("search_read")
    ]


async def test_an_issue_beyond_stock_writes_nothing(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    fake.handlers["model.product.product.search_read"] = answers([PRODUCT], result(STOCK)[:1])
    fake.handlers["model.stock.shipment.internal.search_read"] = lambda params: []
    with pytest.raises(InsufficientStock, match="101"):
        await adapter.adjust_stock(
            StockAdjustment(sku="SKU-001", location="WH", quantity=Decimal(-102), reference="R2")
        )
    assert "model.stock.shipment.internal.create" not in fake.methods


async def test_unknown_location_is_not_found(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    with pytest.raises(NotFound, match="XX"):
        await adapter.adjust_stock(
            StockAdjustment(sku="SKU-001", location="XX", quantity=Decimal(1), reference="R3")
        )
    assert not [m for m in fake.methods if "shipment" in m]
