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
from typing import TypeVar

from system_apis.contracts.keyset import KeyOf
from system_apis.contracts.queries import MAX_PAGE_LIMIT, Page, PageRequest

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
