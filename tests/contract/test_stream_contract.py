"""What every ErpAdapter's streaming reads promise: the whole set, in list order, once each.

An export reads a kind with ``stream_*``; the records must be exactly those the offset pages
of ``list_*`` give, in the same order, however the ERP cut them into chunks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest

from system_apis.contracts import errors
from system_apis.contracts.models import CustomerDetail
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    MAX_PAGE_LIMIT,
    CustomerFilter,
    InventoryFilter,
    InvoiceFilter,
    Page,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from tests.contract.conftest import Subject

Kind = tuple[
    Callable[[ErpAdapter], AsyncIterator[Sequence[Any]]],
    Callable[[ErpAdapter, PageRequest], Awaitable[Page[Any]]],
]

KINDS: dict[str, Kind] = {
    "customers": (
        lambda a: a.stream_customers(CustomerFilter()),
        lambda a, p: a.list_customers(CustomerFilter(), p),
    ),
    "products": (
        lambda a: a.stream_products(ProductFilter()),
        lambda a, p: a.list_products(ProductFilter(), p),
    ),
    "inventory": (
        lambda a: a.stream_inventory(InventoryFilter()),
        lambda a, p: a.list_inventory(InventoryFilter(), p),
    ),
    "sales_orders": (
        lambda a: a.stream_sales_orders(SalesOrderFilter()),
        lambda a, p: a.list_sales_orders(SalesOrderFilter(), p),
    ),
    "invoices": (
        lambda a: a.stream_invoices(InvoiceFilter()),
        lambda a, p: a.list_invoices(InvoiceFilter(), p),
    ),
}


async def _streamed(chunks: AsyncIterator[Sequence[Any]]) -> list[Any]:
    records: list[Any] = []
    async for chunk in chunks:
        assert chunk, "a stream yields no empty chunk"
        records.extend(chunk)
    return records


async def _paged(read: Callable[[PageRequest], Awaitable[Page[Any]]]) -> list[Any]:
    records: list[Any] = []
    offset = 0
    while True:
        page = await read(PageRequest(offset=offset, limit=MAX_PAGE_LIMIT))
        records.extend(page.items)
        offset += MAX_PAGE_LIMIT
        if offset >= page.total:
            return records


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_a_stream_is_the_whole_list_in_order(subject: Subject, kind: str) -> None:
    stream, read = KINDS[kind]
    adapter = subject.adapter
    streamed = await _streamed(stream(adapter))
    listed = await _paged(lambda page: read(adapter, page))
    assert [r.id for r in streamed] == [r.id for r in listed]
    assert streamed == listed
    if kind in ("customers", "products", "inventory"):
        assert streamed, "every adapter under contract has master data and stock"


async def test_credit_limits_are_streamed_only_when_asked(subject: Subject) -> None:
    adapter = subject.adapter
    plain = await _streamed(adapter.stream_customers(CustomerFilter()))
    detailed = await _streamed(
        adapter.stream_customers(CustomerFilter(details=frozenset({CustomerDetail.CREDIT_LIMIT})))
    )
    assert all(c.credit_limit is None for c in plain)
    assert [c.id for c in detailed] == [c.id for c in plain]
    listed = await adapter.list_customers(
        CustomerFilter(details=frozenset({CustomerDetail.CREDIT_LIMIT})),
        PageRequest(limit=MAX_PAGE_LIMIT),
    )
    assert [c.credit_limit for c in detailed][: len(listed.items)] == [
        c.credit_limit for c in listed.items
    ]


async def test_an_unreachable_erp_fails_the_stream(subject: Subject) -> None:
    with pytest.raises(errors.Unavailable):
        await _streamed(subject.unreachable.stream_products(ProductFilter()))
