"""Inventory levels: the ``quantity`` of ``product.product`` at one storage location.

Tryton computes ``quantity`` for the locations in the call's context (``locations``, children
included) at today's date: done moves, without forecasts. A level's native id is
``"<sku>@<location label>"``.
"""

from __future__ import annotations

from system_apis.contracts.models import InventoryLevel, Quantity, Source, canonical_id
from system_apis.tryton.mapping.locations import StorageLocation
from system_apis.tryton.mapping.readers import Row, decimal, nested_text, required_text

STOCK_FIELDS = ("code", "quantity", "default_uom.symbol")


def inventory_from_tryton(row: Row, location: StorageLocation, source: Source) -> InventoryLevel:
    """A ``product.product`` row read with :data:`STOCK_FIELDS` in ``location``'s context."""
    sku = required_text(row, "code")
    unit = nested_text(row, "default_uom.symbol")
    if unit is None:
        raise ValueError(f"product {sku} has no default unit")
    native = f"{sku}@{location.label}"
    return InventoryLevel(
        id=canonical_id(source.connection, native),
        native_id=native,
        source=source,
        sku=sku,
        location=location.label,
        quantity=Quantity(value=decimal(row, "quantity"), unit=unit),
    )
