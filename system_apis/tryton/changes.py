"""Change capture reads: the records changed at or after an instant, oldest change first.

Tryton stamps every record with ``create_date`` and ``write_date`` (naive UTC; the time the
writing transaction started, so a transaction that commits late carries an earlier time: the
poller reads with an overlap for that). ``write_date`` is empty until the first write, so a
record's change time is the later of the two, and "changed since *t*" is ``write_date >= t``
or ``create_date >= t``. Tryton cannot order by that expression, so a page costs two reads:
the ids and stamps of every match (three small fields), sorted here by change time then id,
and the page's records by id.

Inventory has no stamp of its own: a level changes when a stock move into or out of its
storage location is done. The done moves changed since the instant are searched per
warehouse storage location (moves into or out of it or its children); each product they
move is a changed level, with the change time of its latest move, and its quantity is read
as it is now (zero included: stock that ran out is a change too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from system_apis.contracts import keyset
from system_apis.contracts.models import InventoryLevel, Source
from system_apis.contracts.queries import InventoryFilter, Page, PageRequest
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.locations import StorageLocation, matching
from system_apis.tryton.mapping.readers import nested_text, record_id, timestamp
from system_apis.tryton.mapping.stock import STOCK_FIELDS, inventory_from_tryton
from system_apis.tryton.queries import ALL_RECORDS, BY_ID

STAMP_FIELDS = ("create_date", "write_date")
MOVE_FIELDS = ("product.code", *STAMP_FIELDS)


def changed_since(since: dt.datetime) -> list[Any]:
    """The clause of records created or written at or after ``since``."""
    return [["OR", ("write_date", ">=", since), ("create_date", ">=", since)]]


def change_time(row: Row) -> dt.datetime:
    """The later of a row's ``create_date`` and ``write_date``."""
    stamps = [t for t in (timestamp(row, name) for name in STAMP_FIELDS) if t is not None]
    if not stamps:
        raise ValueError(f"record {row.get('id')} has no create or write date")
    return max(stamps)


async def changed_rows(
    client: TrytonClient,
    model: str,
    domain: Sequence[Any],
    since: dt.datetime,
    fields: Sequence[str],
    page: PageRequest,
    connection: str,
) -> tuple[list[Row], int]:
    """The rows of ``page`` among the records of ``domain`` changed since ``since``, ordered
    by change time then id, and how many records changed."""
    keyset.offsets_only(page, connection)
    stamps = await client.search_read(
        model, [*domain, *changed_since(since)], STAMP_FIELDS, order=BY_ID
    )
    ordered = guard(connection).mapped(
        lambda: sorted(stamps, key=lambda row: (change_time(row), record_id(row)))
    )
    wanted = [record_id(row) for row in ordered[page.offset : page.offset + page.limit]]
    if not wanted:
        return [], len(ordered)
    rows = await client.search_read(model, [("id", "in", wanted)], fields, order=BY_ID)
    by_id = {record_id(row): row for row in rows}
    return [by_id[i] for i in wanted if i in by_id], len(ordered)


async def changed_levels(
    client: TrytonClient,
    locations: list[StorageLocation],
    filter: InventoryFilter,
    since: dt.datetime,
    page: PageRequest,
    source: Source,
) -> Page[InventoryLevel]:
    """The inventory levels whose stock moved since ``since``, oldest change first."""
    keyset.offsets_only(page, source.connection)
    if filter.location:
        locations = matching(locations, filter.location)
    if filter.skus is not None and not filter.skus:
        return Page[InventoryLevel](items=(), offset=page.offset, total=0)
    changes: dict[tuple[str, str], tuple[dt.datetime, StorageLocation]] = {}
    for location in locations:
        for sku, moved_at in await _moved(client, location, filter.skus, since, source):
            key = (f"{sku}@{location.label}", sku)
            if key not in changes or changes[key][0] < moved_at:
                changes[key] = (moved_at, location)
    ordered = sorted(changes.items(), key=lambda item: (item[1][0], item[0][0]))
    window = ordered[page.offset : page.offset + page.limit]
    wanted: dict[int, list[str]] = {}
    for (_, sku), (_, location) in window:
        wanted.setdefault(location.storage_id, []).append(sku)
    quantities: dict[str, Row] = {}
    for location in locations:
        skus = wanted.get(location.storage_id)
        if not skus:
            continue
        rows = await client.search_read(
            "product.product",
            [("code", "in", skus)],
            STOCK_FIELDS,
            context={**ALL_RECORDS, "locations": [location.storage_id], "with_childs": True},
        )
        for row in rows:
            quantities[f"{row.get('code')}@{location.label}"] = row

    def levels() -> list[InventoryLevel]:
        found = []
        for (native, _), (moved_at, location) in window:
            row = quantities.get(native)
            if row is not None:
                level = inventory_from_tryton(row, location, source)
                found.append(level.model_copy(update={"changed_at": moved_at}))
        return found

    items = guard(source.connection).mapped(levels)
    return Page[InventoryLevel](items=tuple(items), offset=page.offset, total=len(ordered))


async def _moved(
    client: TrytonClient,
    location: StorageLocation,
    skus: Sequence[str] | None,
    since: dt.datetime,
    source: Source,
) -> list[tuple[str, dt.datetime]]:
    """(SKU, change time) of the done moves into or out of ``location`` since ``since``."""
    inside = [location.storage_id]
    domain: list[Any] = [
        ("state", "=", "done"),
        ("product.code", "!=", None),
        [
            "OR",
            ("from_location", "child_of", inside, "parent"),
            ("to_location", "child_of", inside, "parent"),
        ],
        *changed_since(since),
    ]
    if skus is not None:
        domain.append(("product.code", "in", list(dict.fromkeys(skus))))
    rows = await client.search_read("stock.move", domain, MOVE_FIELDS, order=BY_ID)

    def convert() -> list[tuple[str, dt.datetime]]:
        moved = []
        for row in rows:
            sku = nested_text(row, "product.code")
            if sku:
                moved.append((sku, change_time(row)))
        return moved

    return guard(source.connection).mapped(convert)
