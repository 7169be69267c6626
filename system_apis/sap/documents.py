"""Reads restricted to many keys (document, customer, product numbers), URL-bounded.

A :class:`~system_apis.sap.queries.DocumentQuery` with at most :data:`~.queries.KEY_CHUNK`
numbers is one request, paged by SAP (``$top``/``$skip``, ``$inlinecount``). More numbers
(the documents of a page of orders) are read in chunks of that many, every match of each
chunk, and the page is cut from the matches in the read's order: the number of requests grows
with the number of documents, never the length of a URL.

A page after a key (``PageRequest.after``) starts after it in the read's order: lists by
number ask ``<key> gt '...'``, orders newest first what :func:`.keyed.after_order` selects
(see :mod:`system_apis.sap.keyed`); with chunks, the matches are cut after the key's place.
Lists ordered by change time page by offset only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from system_apis.contracts import keyset
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.queries import PageRequest
from system_apis.sap import keyed
from system_apis.sap.answers import JsonObject, ODataCollection
from system_apis.sap.client import SapODataClient
from system_apis.sap.odata import Filter, all_of, one_of, parse_datetime
from system_apis.sap.queries import BY_CHANGE, DocumentQuery, alpha_order, key_chunks
from system_apis.sap.windows import Continuation, windows

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


async def read_page(
    client: SapODataClient, query: DocumentQuery, page: PageRequest
) -> tuple[ODataCollection, int]:
    """One page of the documents ``query`` matches, with their total count, and how many
    matches come before it."""
    read = query.read
    chunks = _filters(query)
    mark = None if page.after is None else _mark(query, page.after, client.connection)
    if len(chunks) == 1:
        if mark is not None:
            following, _ = mark
            return await keyed.read_after(client, read, chunks[0], following, page.limit)
        answer = await client.get_collection(
            read.service,
            read.entity_set,
            filter=chunks[0],
            select=read.select,
            expand=read.expand,
            orderby=read.orderby,
            top=page.limit,
            skip=page.offset,
            inlinecount=True,
        )
        return answer, page.offset
    answers = await client.get_all_of(
        read.service,
        read.entity_set,
        chunks,
        select=read.select,
        expand=read.expand,
        orderby=read.orderby,
    )
    rows = [row for chunk in answers for row in chunk]
    descending = _descending(query)
    rows.sort(key=lambda row: _position(query, row), reverse=descending)
    start = page.offset
    if mark is not None:
        _, place = mark
        start = sum(
            1
            for row in rows
            if (_position(query, row) >= place if descending else _position(query, row) <= place)
        )
    return ODataCollection(results=rows[start : start + page.limit], count=len(rows)), start


def _mark(
    query: DocumentQuery, key: str, connection: str | None
) -> tuple[Filter, tuple[dt.datetime, str, str]]:
    """What follows ``key`` in the read's order: the ``$filter`` clause, and the place of the
    key among the rows (as :func:`_position` places them)."""
    first = query.read.orderby[0]
    try:
        if first == query.key:
            number = alpha_order(key)
            return keyed.after_value(query.key)(key), (_EARLIEST, number, number)
        if first == "SalesOrderDate desc" and query.key == "SalesOrder":
            day, native_id = keyset.order_after(key)
            midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
            return keyed.after_order(key), (midnight, "", alpha_order(native_id))
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc), connection=connection) from exc
    raise ValidationRejected(
        "a list of changes pages by offset, not after a key", connection=connection
    )


async def pages(
    client: SapODataClient, query: DocumentQuery, window: int
) -> AsyncIterator[list[JsonObject]]:
    """Every document ``query`` matches, in pages of ``window``; ordered by number, the chunks
    of numbers (in SAP's order) follow one another in the list's order. A window after the
    first starts after the last document of the one before (see :func:`.keyed.after_row`);
    lists ordered by change time skip the windows read."""
    read = query.read
    # Windows follow one another by key, except in lists ordered by change time.
    by_key = not read.orderby[0].startswith(BY_CHANGE)
    for condition in _filters(query):
        async for rows in windows(
            client,
            read.service,
            read.entity_set,
            window=window,
            filter=condition,
            select=read.select,
            expand=read.expand,
            orderby=read.orderby,
            continuation=Continuation(keyed.after_row(read.orderby)) if by_key else None,
        ):
            yield rows


def _filters(query: DocumentQuery) -> list[Filter | None]:
    """The ``$filter`` of each request: one, or one per chunk of numbers."""
    if query.numbers is None:
        return [all_of(*query.conditions) if query.conditions else None]
    return [
        all_of(*query.conditions, one_of(query.key, chunk)) for chunk in key_chunks(query.numbers)
    ]


def _descending(query: DocumentQuery) -> bool:
    return query.read.orderby[0].endswith(" desc")


def _position(query: DocumentQuery, row: JsonObject) -> tuple[dt.datetime, str, str]:
    """Where a row stands in the read's order (ascending; :func:`_descending` reverses it):
    by its first ``$orderby`` property (a time, or a number compared as SAP does), then by
    the key."""
    first = row.get(query.read.orderby[0].split(" ")[0])
    moment = (
        parse_datetime(first) if isinstance(first, str) and first.startswith("/Date(") else None
    )
    text = "" if moment is not None else alpha_order(str(first or ""))
    return moment or _EARLIEST, text, alpha_order(str(row.get(query.key, "")))
