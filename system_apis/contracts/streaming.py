"""Whole record sets read chunk by chunk: the streaming reads of the ERP port.

An export reads every record of a kind; the port's ``stream_*`` methods yield them in list
order, one chunk per upstream answer, so nothing holds the whole set. :func:`keyset_chunks`
builds such a stream from a connector's pages, each after the key of the last record of the
one before, so records created meanwhile are neither read twice nor make the stream skip one
(:func:`offset_chunks` pages by offset, for lists ordered by change time); connectors with
server-driven paging (SAP's ``__next``) follow the ERP's own links instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from system_apis.contracts import keyset
from system_apis.contracts.keyset import KeyOf
from system_apis.contracts.models import Customer, InventoryLevel, Invoice, Product, SalesOrder
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

T = TypeVar("T")

ReadPage = Callable[[PageRequest], Awaitable[Page[T]]]


async def offset_chunks(
    read: ReadPage[T], size: int = MAX_PAGE_LIMIT
) -> AsyncIterator[Sequence[T]]:
    """Every record ``read`` answers, page after page of ``size`` until the total is reached.

    Offsets advance by the page size asked, not by the records answered: an adapter whose
    offsets count native rows (several rows may make one record) pages the same way.
    """
    offset = 0
    while True:
        page = await read(PageRequest(offset=offset, limit=size))
        if page.items:
            yield page.items
        offset += size
        if offset >= page.total:
            return


async def keyset_chunks(
    read: ReadPage[T], key: KeyOf[T] | None, size: int = MAX_PAGE_LIMIT
) -> AsyncIterator[Sequence[T]]:
    """Every record ``read`` answers, each page after the page key (``key``) of the last
    record of the one before; ``key`` None pages by offset (:func:`offset_chunks`)."""
    if key is None:
        async for chunk in offset_chunks(read, size):
            yield chunk
        return
    page = await read(PageRequest(limit=size))
    while page.items:
        yield page.items
        if not page.has_next:
            return
        page = await read(PageRequest(after=key(page.items[-1]), limit=size))


class _PagedLists(Protocol):
    stream_page: int

    async def list_customers(self, filter: CustomerFilter, page: PageRequest) -> Page[Customer]: ...

    async def list_products(self, filter: ProductFilter, page: PageRequest) -> Page[Product]: ...

    async def list_inventory(
        self, filter: InventoryFilter, page: PageRequest
    ) -> Page[InventoryLevel]: ...

    async def list_sales_orders(
        self, filter: SalesOrderFilter, page: PageRequest
    ) -> Page[SalesOrder]: ...

    async def list_invoices(self, filter: InvoiceFilter, page: PageRequest) -> Page[Invoice]: ...


class StreamsFromPages:
    """The port's ``stream_*`` methods for a connector without server-driven paging: each
    kind read from its ``list_*`` pages of ``stream_page`` records, after the key of the
    last record (by offset where the list is ordered by change time)."""

    stream_page: int = MAX_PAGE_LIMIT

    def stream_customers(
        self: _PagedLists, filter: CustomerFilter
    ) -> AsyncIterator[Sequence[Customer]]:
        return keyset_chunks(
            lambda page: self.list_customers(filter, page), keyset.native_key, self.stream_page
        )

    def stream_products(
        self: _PagedLists, filter: ProductFilter
    ) -> AsyncIterator[Sequence[Product]]:
        return keyset_chunks(
            lambda page: self.list_products(filter, page), keyset.product_key, self.stream_page
        )

    def stream_inventory(
        self: _PagedLists, filter: InventoryFilter
    ) -> AsyncIterator[Sequence[InventoryLevel]]:
        return keyset_chunks(
            lambda page: self.list_inventory(filter, page),
            None if filter.changed_since is not None else keyset.level_key,
            self.stream_page,
        )

    def stream_sales_orders(
        self: _PagedLists, filter: SalesOrderFilter
    ) -> AsyncIterator[Sequence[SalesOrder]]:
        return keyset_chunks(
            lambda page: self.list_sales_orders(filter, page),
            None if filter.changed_since is not None else keyset.order_key,
            self.stream_page,
        )

    def stream_invoices(
        self: _PagedLists, filter: InvoiceFilter
    ) -> AsyncIterator[Sequence[Invoice]]:
        return keyset_chunks(
            lambda page: self.list_invoices(filter, page),
            None if filter.changed_since is not None else keyset.native_key,
            self.stream_page,
        )
