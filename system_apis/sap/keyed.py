"""Pages after a key on SAP: a ``$filter`` clause on the list's ``$orderby``, and the counts.

A page after a key (``PageRequest.after``, see :mod:`system_apis.contracts.keyset`) adds to the
list's conditions a clause selecting what follows the key in the list's ``$orderby`` and reads
the first ``$top`` of it, so records created before the key move nothing. The clause compares
document numbers as SAP does: ALPHA-converted numbers (``SalesOrder``, ``Customer``,
``DeliveryDocument``...) are held zero-padded to their length, so ``'99' lt '100'`` holds on
SAP as it does in the sandbox. ``$inlinecount`` then counts the records from the key on; the
list's total costs a second request (``$top=0``), and the records before the page are the
difference.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from system_apis.contracts import keyset
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.queries import PageRequest
from system_apis.sap.answers import JsonObject, ODataCollection
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.codes import split_location
from system_apis.sap.odata import (
    Filter,
    LiteralValue,
    all_of,
    any_of,
    eq,
    ge,
    gt,
    le,
    lt,
    parse_datetime,
)
from system_apis.sap.queries import EntityRead

_NAIVE_DATE = re.compile(r"/Date\(-?\d+\)/")
"""SAP's JSON form of an ``Edm.DateTime``; an ``Edm.DateTimeOffset`` adds ``+0000``."""

Clause = Callable[[str], Filter]
"""The ``$filter`` clause of what follows a page key."""


def after_value(field: str) -> Clause:
    """A list ordered by one property, ascending: what follows is greater."""
    return lambda key: gt(field, key)


def after_order(key: str) -> Filter:
    """Orders newest first (``SalesOrderDate desc, SalesOrder desc``): older, or as old with
    a lower number."""
    day, number = keyset.order_after(key)
    return any_of(
        lt("SalesOrderDate", day), all_of(eq("SalesOrderDate", day), lt("SalesOrder", number))
    )


def after_level(key: str) -> Filter:
    """Stock rows (``Material, Plant, StorageLocation, Batch``) of the levels after one."""
    material, location = keyset.level_after(key)
    try:
        plant, storage_location = split_location(location)
    except ValueError as exc:
        raise keyset.InvalidKey(str(exc)) from exc
    return any_of(
        gt("Material", material),
        all_of(
            eq("Material", material),
            any_of(
                gt("Plant", plant),
                all_of(eq("Plant", plant), gt("StorageLocation", storage_location or "")),
            ),
        ),
    )


def after_row(orderby: Sequence[str]) -> Callable[[JsonObject], Filter]:
    """What follows an entity in a read ordered by ``orderby`` (``Name`` or ``Name desc``
    each, together identifying an entity): greater (or, descending, lower) in the first
    property, or equal in it and following in the rest. Every property must be selected."""
    return _lexicographic(orderby, inclusive=False)


def from_row(orderby: Sequence[str]) -> Callable[[JsonObject], Filter]:
    """As :func:`after_row`, and the entities equal to it in every property of ``orderby``
    (which then need not identify entities)."""
    return _lexicographic(orderby, inclusive=True)


def _lexicographic(orderby: Sequence[str], *, inclusive: bool) -> Callable[[JsonObject], Filter]:
    order = [(item.split()[0], item.endswith(" desc")) for item in orderby]

    def following(row: JsonObject) -> Filter:
        values = [_literal(row, name) for name, _ in order]
        alternatives = []
        for index, (name, descending) in enumerate(order):
            same = [eq(prior, values[i]) for i, (prior, _) in enumerate(order[:index])]
            last = inclusive and index == len(order) - 1
            compare = (le if last else lt) if descending else (ge if last else gt)
            alternatives.append(all_of(*same, compare(name, values[index])))
        return any_of(*alternatives)

    return following


def _literal(row: JsonObject, name: str) -> LiteralValue:
    """A property of an answered entity as a ``$filter`` value: text as it came, SAP's JSON
    dates as ``datetime'...'`` (``Edm.DateTime``) or, with an offset, ``datetimeoffset``."""
    if name not in row:
        raise ValueError(f"{name} is not in the answer; it orders the read")
    value = row[name]
    if isinstance(value, str) and value.startswith("/Date("):
        moment = parse_datetime(value)
        if moment is not None and _NAIVE_DATE.fullmatch(value):
            return moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment
    if value is None or isinstance(value, str | int | bool):
        return value
    raise ValueError(f"{name} holds {value!r}, which does not order a read")


def clause(after: Clause, key: str, connection: str | None) -> Filter:
    """The clause of ``key``; ValidationRejected when no list of this kind produced it."""
    try:
        return after(key)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc), connection=connection) from exc


async def read_after(
    client: SapODataClient,
    read: EntityRead,
    condition: Filter | None,
    following: Filter,
    limit: int,
) -> tuple[ODataCollection, int]:
    """The first ``limit`` entities matching ``condition`` and ``following``, counted over
    everything ``condition`` matches, and how many of those come before them."""
    answer = await client.get_collection(
        read.service,
        read.entity_set,
        filter=following if condition is None else all_of(condition, following),
        select=read.select,
        expand=read.expand,
        orderby=read.orderby,
        top=limit,
        inlinecount=True,
    )
    whole = await client.get_collection(
        read.service,
        read.entity_set,
        filter=condition,
        select=[read.orderby[0].split()[0]],
        top=0,
        inlinecount=True,
    )
    rest = answer.count if answer.count is not None else len(answer.results)
    total = max(whole.count if whole.count is not None else rest, rest)
    return ODataCollection(results=answer.results, count=total), total - rest


async def read_page(
    client: SapODataClient,
    read: EntityRead,
    condition: Filter | None,
    page: PageRequest,
    after: Clause | None,
) -> tuple[ODataCollection, int]:
    """One page of ``read`` (``$top``/``$skip``, or after a key with the clause ``after``
    builds; None: the list pages by offset only), its total count, and the records before it."""
    if page.after is not None:
        if after is None:
            keyset.offsets_only(page, client.connection)
        else:
            following = clause(after, page.after, client.connection)
            return await read_after(client, read, condition, following, page.limit)
    answer = await client.get_collection(
        read.service,
        read.entity_set,
        filter=condition,
        select=read.select,
        expand=read.expand,
        orderby=read.orderby,
        top=page.limit,
        skip=page.offset,
        inlinecount=True,
    )
    return answer, page.offset


def whole_levels(rows: list[JsonObject], page: PageRequest) -> list[JsonObject]:
    """The stock rows of a page after a key without those of its last level when the page is
    full: that level may go on in the next rows (batches), so it starts the next page, which
    begins after the level before it; unless it fills the page alone."""
    if page.after is None or len(rows) < page.limit:
        return rows
    return _without_last_level(rows) or rows


def _without_last_level(rows: list[JsonObject]) -> list[JsonObject]:
    """Stock rows in list order without those of the last material and location."""

    def level(row: JsonObject) -> tuple[object, ...]:
        return (row.get("Material"), row.get("Plant"), row.get("StorageLocation"))

    last = level(rows[-1])
    cut = len(rows)
    while cut and level(rows[cut - 1]) == last:
        cut -= 1
    return rows[:cut]
