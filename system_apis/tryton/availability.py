"""What a new sale can still get from a warehouse: the stock Tryton will let it reserve.

Tryton reserves a shipment's goods with ``assign_try``, which counts the storage location's
stock as done moves plus the outgoing moves already assigned to other shipments
(``stock_assign`` in the context of ``products_by_location``). On-hand ``quantity`` alone counts
goods reserved for another shipment as free: an order for them is accepted and its shipment
can then never be reserved. :func:`check_available` reads the quantity the way the assignment
will and refuses the order up front with InsufficientStock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from system_apis.contracts.errors import InsufficientStock
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.mapping.locations import StorageLocation
from system_apis.tryton.mapping.readers import nested_text


def _as_decimal(value: object) -> Decimal:
    return Decimal(str(value)) if isinstance(value, int | float | str | Decimal) else Decimal(0)


def _in_stock_unit(row: Row, unit: str | None) -> bool:
    """Whether a line's unit is the product's own (the unit ``quantity`` is counted in)."""
    names = (nested_text(row, "default_uom.symbol"), nested_text(row, "default_uom.name"))
    return unit is None or unit in names


async def check_available(
    client: TrytonClient,
    lines: Iterable[tuple[str, Decimal, str | None]],
    products: Mapping[str, int],
    storage: Iterable[StorageLocation],
    warehouse: int,
) -> None:
    """Raises InsufficientStock when ``warehouse`` cannot reserve the lines (sku, qty, unit)."""
    locations = [location.storage_id for location in storage if location.warehouse_id == warehouse]
    ordered = list(lines)
    if not locations or not ordered:
        return
    rows = await client.search_read(
        "product.product",
        [("id", "in", sorted({products[sku] for sku, _, _ in ordered}))],
        ["code", "quantity", "type", "default_uom.symbol", "default_uom.name"],
        context={"locations": locations, "with_childs": True, "stock_assign": True},
    )
    by_code = {row["code"]: row for row in rows if isinstance(row.get("code"), str)}
    wanted: dict[str, Decimal] = {}
    for sku, quantity, unit in ordered:
        row = by_code.get(sku)
        # Services are not stocked; a line in another unit is Tryton's to convert and check.
        if row is not None and row.get("type") == "goods" and _in_stock_unit(row, unit):
            wanted[sku] = wanted.get(sku, Decimal(0)) + quantity
    free = {sku: _as_decimal(by_code[sku].get("quantity")) for sku in wanted}
    short = [
        f"{sku} ({free[sku].normalize():f} free, {quantity.normalize():f} ordered)"
        for sku, quantity in wanted.items()
        if sku in free and free[sku] < quantity
    ]
    if short:
        raise InsufficientStock(
            "not enough stock Tryton can still reserve: " + ", ".join(short),
            connection=client.connection,
        )
