"""Pages of a SuiteQL query: by offset, or after a key.

SuiteQL pages by ``limit`` and ``offset``; the adapter asks for pages whose offset is a
multiple of their size (the page grid NetSuite's own ``next`` links follow) and cuts the
port's page out of at most two of them, so a page costs one or two requests.

A page after a key (``PageRequest.after``) is the first page of the list's query with one
more ``WHERE`` clause, what follows the key in the list's ``ORDER BY`` (the ``*_after``
functions below); the list's total costs a second query (``limit=1``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from system_apis.contracts import keyset
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.queries import PageRequest
from system_apis.netsuite import suiteql as q
from system_apis.netsuite.client import NetSuiteClient, Row

Query = Callable[[str], str]
"""The list's SuiteQL with one more clause (empty: none)."""


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


async def read_list(
    client: NetSuiteClient, query: Query, page: PageRequest, after: Callable[[str], str] | None
) -> tuple[list[Row], int, int]:
    """The rows of ``page``, the records before them and the total; ``after`` builds the
    clause of a page after a key (None: the list pages by offset only)."""
    if page.after is None or after is None:
        keyset.offsets_only(page, client.connection)  # refuses a key where there is none
        rows, total = await read_page(client, query(""), page)
        return rows, page.offset, total
    try:
        clause = after(page.after)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc), connection=client.connection) from exc
    following = await client.suiteql(query(clause), limit=page.limit)
    whole = await client.suiteql(query(""), limit=1)
    total = max(whole.total, following.total)
    return list(following.items)[: page.limit], total - following.total, total


def id_after(column: str) -> Callable[[str], str]:
    """Records by internal id (``ORDER BY <column>``)."""
    return lambda key: f"{column} > {keyset.numeric_after(key, 'record')}"


def text_after(column: str) -> Callable[[str], str]:
    return lambda key: f"{column} > {q.text(key)}"


def level_after(key: str) -> str:
    """Levels by item, then location (``ORDER BY i.itemid, l.name``)."""
    sku, location = keyset.level_after(key)
    return (
        f"(i.itemid > {q.text(sku)} OR (i.itemid = {q.text(sku)} AND l.name > {q.text(location)}))"
    )


def order_after(key: str) -> str:
    """Orders newest first (``ORDER BY t.trandate DESC, t.id DESC``)."""
    day, native_id = keyset.order_after(key)
    number = keyset.numeric_after(native_id, "sales order")
    return f"({_day(day, '<')} OR ({_day(day, '=')} AND t.id < {number}))"


def _day(day: dt.date, op: str) -> str:
    return f"t.trandate {op} TO_DATE({q.text(day.isoformat())}, 'YYYY-MM-DD')"
