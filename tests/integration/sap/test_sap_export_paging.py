"""Exports from SAP page like SAP does: ``$top`` windows, ``__next`` links inside them.

The sandbox pages its answers server-side; whatever the server page and the window, the
streamed records are exactly the list read's, none lost and none repeated, and a stock
level whose rows a page boundary cuts is exported once, with its rows summed. Windows follow
one another by key, so records written during an export move nothing at their boundaries.
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
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
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
        if page_size is not None and page_size > 1:
            # The server paged: each short answer went on from its last batch (a page of one
            # row, one batch only, goes on by offset).
            filters = [
                parse_qs(urlsplit(str(request.url)).query).get("$filter", [""])[0]
                for request in transport.requests
                if request.url.path.endswith("/A_MatlStkInAcctMod")
            ]
            assert sum("Material gt " in text for text in filters) >= 2
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


@pytest.mark.parametrize("page_size", [None, 3])
async def test_records_written_during_an_export_move_nothing_at_window_boundaries(
    tmp_path: Path, page_size: int | None
) -> None:
    """A window after the first starts after the last record read, not at an offset: a stock
    row and an order written while an export runs, both sorting before the records still to
    come, neither repeat a record at the next boundary nor push one out of the export."""
    settings = SandboxSettings(data_dir=tmp_path / "sap", page_size=page_size)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            BASE_URL,
            username=settings.username,
            password=settings.password,
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("S4", client, export_window=4)
        sandbox = app.state.sandbox
        sandbox.settings = replace(settings, page_size=None)  # the reference: unpaged reads
        before = (await adapter.list_inventory(InventoryFilter(), ALL)).items
        orders_before = (await adapter.list_sales_orders(SalesOrderFilter(), ALL)).items
        sandbox.settings = settings

        stock = adapter.stream_inventory(InventoryFilter())
        levels = list(await anext(stock))
        # Written before the next window is asked: a level that sorts first.
        with app.state.sandbox.store.write() as tx:
            set_stock(tx, "0-FIRST", "1010", "101A", Decimal(3), "PC")
        levels += await _streamed(stock)
        assert [level.native_id for level in levels] == [level.native_id for level in before]
        assert levels == list(before), "a level was exported twice or its rows summed twice"

        orders = adapter.stream_sales_orders(SalesOrderFilter())
        streamed = list(await anext(orders))
        customer = (await adapter.list_customers(CustomerFilter(), ALL)).items[0]
        stocked = next(level for level in before if level.quantity.value >= 1)
        line = OrderLineDraft(
            sku=stocked.sku,
            quantity=Decimal(1),
            unit=stocked.quantity.unit,
            location=stocked.location,
        )
        # Newest first: the new order sorts before every order still to come.
        placed = await adapter.create_sales_order(
            SalesOrderDraft(customer_native_id=customer.native_id, lines=(line,))
        )
        streamed += await _streamed(orders)
        assert placed.id not in {order.id for order in streamed}
        assert [order.id for order in streamed] == [order.id for order in orders_before]
        await adapter.aclose()


@pytest.mark.parametrize("page_size", [2, 3])
async def test_stock_rows_tied_in_the_read_order_are_never_cut_apart(
    tmp_path: Path, page_size: int
) -> None:
    """Consignment stock of a supplier in the same batch as the plant's own stock ties with
    it in the read's order; wherever an answer ends, both rows are summed once."""
    settings = SandboxSettings(data_dir=tmp_path / "sap", page_size=page_size)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        with app.state.sandbox.store.write() as tx:
            rows = sorted(
                (r for r in tx.rows(STOCK) if r["InventoryStockType"] == "01"),
                key=lambda r: (r["Material"], r["Plant"], r["StorageLocation"], r["Batch"]),
            )
            for own in rows[1:6]:
                consignment = {**own, "Supplier": "17300001", "InventorySpecialStockType": "K"}
                consignment["MatlWrhsStkQtyInMatlBaseUnit"] = quantity(Decimal(5))
                save(tx, STOCK, consignment)
        client = SapODataClient(
            BASE_URL,
            username=settings.username,
            password=settings.password,
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("S4", client, export_window=3)
        app.state.sandbox.settings = replace(settings, page_size=None)
        listed = (await adapter.list_inventory(InventoryFilter(), ALL)).items
        app.state.sandbox.settings = settings
        streamed = await _streamed(adapter.stream_inventory(InventoryFilter()))
        assert streamed == list(listed)
        assert sum(level.quantity.value for level in streamed) == sum(
            level.quantity.value for level in listed
        )
        await adapter.aclose()
