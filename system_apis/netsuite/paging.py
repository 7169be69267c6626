"""Offset pages of a SuiteQL query.

SuiteQL pages by ``limit`` and ``offset``; the adapter asks for pages whose offset is a
multiple of their size (the page grid NetSuite's own ``next`` links follow) and cuts the
port's page out of at most two of them, so a page costs one or two requests.
"""

from __future__ import annotations

from system_apis.contracts.queries import PageRequest
from system_apis.netsuite.client import NetSuiteClient, Row


async def read_page(client: NetSuiteClient, query: str, page: PageRequest) -> tuple[list[Row], int]:
    """The rows of ``page`` and the query's total."""
    size = page.limit
    start = page.offset - page.offset % size
    first = await client.suiteql(query, limit=size, offset=start)
    rows = list(first.items)
    total = first.total
    skip = page.offset - start
    if skip and first.has_more and start + size < total:
        second = await client.suiteql(query, limit=size, offset=start + size)
        rows.extend(second.items)
    return rows[skip : skip + size], total
