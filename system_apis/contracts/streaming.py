"""Whole record sets read chunk by chunk: the streaming reads of the ERP port.

An export reads every record of a kind; the port's ``stream_*`` methods yield them in list
order, one chunk per upstream answer, so nothing holds the whole set. :func:`offset_chunks`
builds such a stream from a connector's offset pages, for ERPs without server-driven
paging; connectors with it (SAP's ``__next``) follow the ERP's own links instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

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
