"""Material stock: ``A_MatlStkInAcctMod`` rows → InventoryLevel per material and location."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from system_apis.contracts.models import InventoryLevel, Source, canonical_id
from system_apis.sap.mapping.codes import location_of
from system_apis.sap.mapping.readers import (
    JsonObject,
    optional_text,
    required_decimal,
    required_text,
)

UNRESTRICTED_STOCK = "01"
"""``InventoryStockType`` of unrestricted-use stock."""


def inventory_from_sap(rows: Iterable[JsonObject], source: Source) -> list[InventoryLevel]:
    """``A_MatlStkInAcctMod`` rows → one level per material, plant and storage location.

    Only unrestricted-use rows (stock type ``01``) count; batches and special stocks of the
    same place are summed. Levels keep the order in which their first row came.
    """
    totals: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for row in rows:
        if optional_text(row, "InventoryStockType") != UNRESTRICTED_STOCK:
            continue
        key = (
            required_text(row, "Material"),
            required_text(row, "Plant"),
            optional_text(row, "StorageLocation") or "",
        )
        quantity = required_decimal(row, "MatlWrhsStkQtyInMatlBaseUnit")
        unit = required_text(row, "MaterialBaseUnit")
        previous = totals.get(key)
        if previous is not None:
            if previous[1] != unit:
                raise ValueError(f"stock of {key} comes in two units: {previous[1]}, {unit}")
            quantity += previous[0]
        totals[key] = (quantity, unit)
    # One validation per level, the quantity validated inside it: a stock page of 5,000
    # rows costs half the validator calls of building the quantity on its own.
    validate = InventoryLevel.__pydantic_validator__.validate_python
    levels: list[InventoryLevel] = []
    for (material, plant, storage_location), (quantity, unit) in totals.items():
        location = location_of(plant, storage_location) or plant
        native_id = f"{material}@{location}"
        levels.append(
            validate(
                {
                    "id": canonical_id(source.connection, native_id),
                    "native_id": native_id,
                    "source": source,
                    "sku": material,
                    "location": location,
                    "quantity": {"value": quantity, "unit": unit},
                }
            )
        )
    return levels
