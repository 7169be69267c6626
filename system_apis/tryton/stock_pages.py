"""Inventory pages after a key (``PageRequest.after``): locations in label order, then
products by code in each, as the adapter's offset pages run.

Locations before the key's are only counted; in the key's location the page starts at the
first code after the key's SKU; later locations are read from their first product. Every
location costs a ``search_count`` for the total, and one more where the page starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from system_apis.contracts import keyset
from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.models import InventoryLevel
from system_apis.contracts.queries import Page, PageRequest
from system_apis.tryton import queries
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.mapping.locations import StorageLocation
from system_apis.tryton.mapping.stock import STOCK_FIELDS
from system_apis.tryton.reads import read_after

PRODUCT = "product.product"
Levels = Callable[[list[Row], StorageLocation], list[InventoryLevel]]


def stock_context(location: StorageLocation) -> dict[str, object]:
    """Tryton computes ``quantity`` over these locations and their children, at today."""
    return {"locations": [location.storage_id], "with_childs": True}


async def levels_after(
    client: TrytonClient,
    domain: list[Any],
    locations: list[StorageLocation],
    page: PageRequest,
    key: str,
    convert: Levels,
) -> Page[InventoryLevel]:
    """The levels after ``key`` (an inventory page key), ``convert`` mapping rows to levels."""
    try:
        sku, label = keyset.level_after(key)
    except keyset.InvalidKey as exc:
        raise ValidationRejected(str(exc), connection=client.connection) from exc
    levels: list[InventoryLevel] = []
    before = total = 0
    for location in locations:
        context = stock_context(location)
        if location.label < label:
            count = await client.search_count(PRODUCT, domain, context=context)
            before, total = before + count, total + count
            continue
        clause = ["code", ">", sku] if location.label == label else []
        if len(levels) >= page.limit:
            count = following = await client.search_count(PRODUCT, domain, context=context)
            if clause:
                following = await client.search_count(PRODUCT, [*domain, clause], context=context)
        else:
            rows, following, count = await read_after(
                client,
                PRODUCT,
                domain,
                clause,
                STOCK_FIELDS,
                page.limit - len(levels),
                order=queries.BY_CODE,
                context=context,
            )
            levels.extend(convert(rows, location))
        before, total = before + count - following, total + count
    return Page[InventoryLevel](items=tuple(levels), offset=before, total=total)
