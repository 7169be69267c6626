"""Exports from SAP page like SAP does: ``$top`` windows, ``__next`` links inside them.

The sandbox pages its answers server-side; whatever the server page and the window, the
streamed records are exactly the list read's, none lost and none repeated, and a stock
level whose rows a page boundary cuts is exported once, with its rows summed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.records import blank, quantity, save
from erp_sandbox.sap.settings import SandboxSettings
from erp_sandbox.sap.stock import STOCK, set_stock
from system_apis.contracts.queries import (
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

BASE_URL = "http://sap-sandbox.test"
ALL = PageRequest(offset=0, limit=1000)


async def _streamed(chunks: AsyncIterator[Sequence[Any]]) -> list[Any]:
    return [record async for chunk in chunks for record in chunk]


def _add_batch(app: Any) -> tuple[str, Decimal]:
    """A second (batch) row for the first stock level; its native id and the new total."""
    with app.state.sandbox.store.write() as tx:
        first = sorted(
            (r for r in tx.rows(STOCK) if r["InventoryStockType"] == "01"),
            key=lambda r: (r["Material"], r["Plant"], r["StorageLocation"], r["Batch"]),
        )[0]
        row = blank(STOCK)
        for name in ("Material", "Plant", "StorageLocation", "InventoryStockType"):
            row[name] = first[name]
        row["MaterialBaseUnit"] = first["MaterialBaseUnit"]
        row["Batch"] = "B0001"
        row["MatlWrhsStkQtyInMatlBaseUnit"] = quantity(Decimal(7))
        save(tx, STOCK, row)
    total = Decimal(first["MatlWrhsStkQtyInMatlBaseUnit"]) + 7
    return first["Material"], total


@pytest.mark.parametrize(("page_size", "window"), [(1, 1000), (2, 5), (3, 7), (None, 4)])
async def test_streams_lose_and_repeat_nothing_across_next_links(
    tmp_path: Path, page_size: int | None, window: int
) -> None:
    settings = SandboxSettings(data_dir=tmp_path / "sap", page_size=page_size)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        material, total = _add_batch(app)
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            BASE_URL, username=settings.username, password=settings.password, transport=transport
        )
        adapter = SapAdapter("S4", client, export_window=window)
        sandbox = app.state.sandbox
        # The reference: list reads of a server that does not page.
        sandbox.settings = replace(settings, page_size=None)
        expected = [
            (await adapter.list_customers(CustomerFilter(), ALL)).items,
            (await adapter.list_products(ProductFilter(), ALL)).items,
            (await adapter.list_sales_orders(SalesOrderFilter(), ALL)).items,
            (await adapter.list_invoices(InvoiceFilter(), ALL)).items,
            (await adapter.list_inventory(InventoryFilter(), ALL)).items,
        ]
        sandbox.settings = settings
        streams = [
            adapter.stream_customers(CustomerFilter()),
            adapter.stream_products(ProductFilter()),
            adapter.stream_sales_orders(SalesOrderFilter()),
            adapter.stream_invoices(InvoiceFilter()),
        ]
        for stream, listed in zip(streams, expected, strict=False):
            streamed = await _streamed(stream)
            assert [r.id for r in streamed] == [r.id for r in listed]
            assert streamed == list(listed)
        levels = await _streamed(adapter.stream_inventory(InventoryFilter()))
        ids = [level.native_id for level in levels]
        assert len(ids) == len(set(ids)), "a level cut by a page boundary came twice"
        assert levels == list(expected[-1])
        first = next(level for level in levels if level.sku == material)
        assert first.quantity.value == total
        if page_size is not None:
            tokens = [
                parse_qs(urlsplit(str(request.url)).query).get("$skiptoken")
                for request in transport.requests
            ]
            assert any(tokens), "the server paged, so __next links were followed"
        await adapter.aclose()


async def test_a_write_between_pages_is_seen_by_the_next_read(tmp_path: Path) -> None:
    settings = SandboxSettings(data_dir=tmp_path / "sap", page_size=2)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            BASE_URL,
            username=settings.username,
            password=settings.password,
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("S4", client)
        before = await _streamed(adapter.stream_inventory(InventoryFilter()))
        with app.state.sandbox.store.write() as tx:
            set_stock(tx, "0-FIRST", "1010", "101A", Decimal(3), "PC")
        after = await _streamed(adapter.stream_inventory(InventoryFilter()))
        assert [level.sku for level in after] == ["0-FIRST", *(level.sku for level in before)]
        await adapter.aclose()
