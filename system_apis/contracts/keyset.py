"""Page keys: where a record stands in its list's order, for pages that start after it.

An offset page shifts when a record is created or removed before it: a client paging by
offset then reads one record twice or skips one. A keyset page does not: it starts just after
the sort key of the last record read (``PageRequest.after``), so what happens before that
point moves nothing after it.

Every list orders its records by the key below, as the port documents: customers, deliveries,
invoices and employees by native id, products by SKU, inventory levels by product and location
(each adapter in its own stable order over both), orders newest first (order date, then native
id, both descending). A key is computed from the canonical record, so the layer above needs no
knowledge of the ERP; a compound key is a JSON array. How keys compare (as numbers, as SAP's
zero-padded document numbers, as strings) is the adapter's business: it knows its own order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from system_apis.contracts.errors import ValidationRejected
from system_apis.contracts.models import (
    Customer,
    Delivery,
    InventoryLevel,
    Invoice,
    Product,
    SalesOrder,
)
from system_apis.contracts.people import Employee
from system_apis.contracts.queries import PageRequest

T = TypeVar("T")
KeyOf = Callable[[T], str]


class InvalidKey(ValueError):
    """A page key no list of this kind produces (a client edited a cursor)."""


def native_key(record: Customer | Delivery | Invoice | Employee) -> str:
    return record.native_id


def product_key(product: Product) -> str:
    return product.sku


def level_key(level: InventoryLevel) -> str:
    return json.dumps([level.sku, level.location], separators=(",", ":"))


def order_key(order: SalesOrder) -> str:
    return json.dumps([order.order_date.isoformat(), order.native_id], separators=(",", ":"))


def _parts(key: str, what: str) -> list[Any]:
    try:
        parts = json.loads(key)
    except ValueError:
        raise InvalidKey(f"not a {what} page key: {key[:64]!r}") from None
    if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)):
        raise InvalidKey(f"not a {what} page key: {key[:64]!r}")
    return parts


def level_after(key: str) -> tuple[str, str]:
    """The (sku, location) of an inventory page key."""
    sku, location = _parts(key, "inventory")
    return sku, location


def order_after(key: str) -> tuple[dt.date, str]:
    """The (order date, native id) of an order page key."""
    day, native_id = _parts(key, "sales order")
    try:
        return dt.date.fromisoformat(day), native_id
    except ValueError:
        raise InvalidKey(f"not a sales order page key: {key[:64]!r}") from None


def numeric_after(key: str, what: str) -> int:
    """The number of a key over numeric native ids (record ids, document numbers)."""
    if not key.isascii() or not key.isdecimal():
        raise InvalidKey(f"not a {what} page key: {key[:64]!r}")
    return int(key)


def offsets_only(page: PageRequest, connection: str | None) -> None:
    """Refuses a page after a key for a list that pages by offset only (change capture,
    ordered by change time): ValidationRejected rather than a page from the start."""
    if page.after is not None:
        raise ValidationRejected(
            "a list of changes pages by offset, not after a key", connection=connection
        )
