"""Material stock: unrestricted-use quantities per plant and storage location.

Stock rows are ``A_MatlStkInAcctMod`` entities whose special-stock key fields are empty and
whose stock type is ``01`` (unrestricted use).
"""

from __future__ import annotations

from decimal import Decimal

from erp_sandbox.odata.edm import Row
from erp_sandbox.sap import org
from erp_sandbox.sap.records import blank, quantity, save
from erp_sandbox.sap.store import Transaction

STOCK = "A_MatlStkInAcctMod"


def stock_key(material: str, plant: str, storage_location: str) -> tuple[str, ...]:
    """The key of the unrestricted-use stock row of a material at a storage location."""
    return (material, plant, storage_location, "", "", "", "", "", "", "", org.UNRESTRICTED)


def stock_row(tx: Transaction, material: str, plant: str, storage_location: str) -> Row | None:
    """The unrestricted-use stock row, or None when the material was never stocked there."""
    return tx.get(STOCK, stock_key(material, plant, storage_location))


def available(tx: Transaction, material: str, plant: str, storage_location: str) -> Decimal:
    """The unrestricted-use quantity of a material at a storage location."""
    row = stock_row(tx, material, plant, storage_location)
    return Decimal(row["MatlWrhsStkQtyInMatlBaseUnit"]) if row else Decimal(0)


def set_stock(
    tx: Transaction,
    material: str,
    plant: str,
    storage_location: str,
    amount: Decimal,
    unit: str,
) -> None:
    """Set the unrestricted-use quantity (creating the row when needed)."""
    row = stock_row(tx, material, plant, storage_location)
    if row is None:
        row = blank(STOCK)
        keys = stock_key(material, plant, storage_location)
        row.update(dict(zip(("Material", "Plant", "StorageLocation"), keys[:3], strict=True)))
        row["InventoryStockType"] = org.UNRESTRICTED
        row["MaterialBaseUnit"] = unit
    row["MatlWrhsStkQtyInMatlBaseUnit"] = quantity(amount)
    save(tx, STOCK, row)


def best_location(tx: Transaction, material: str, plant: str | None = None) -> tuple[str, str]:
    """The plant and storage location with the most unrestricted stock of ``material``.

    Limited to ``plant`` when given; without any stock, the plant's (or plant 1010's) default
    storage location. Ties go to the lower plant and storage location numbers.
    """
    candidates: list[tuple[Decimal, str, str]] = []
    for row in tx.rows(STOCK):
        if row["Material"] != material or row["InventoryStockType"] != org.UNRESTRICTED:
            continue
        if row["Batch"] or row["InventorySpecialStockType"]:
            continue
        if plant and row["Plant"] != plant:
            continue
        amount = Decimal(row["MatlWrhsStkQtyInMatlBaseUnit"])
        candidates.append((amount, row["Plant"], row["StorageLocation"]))
    if candidates:
        _, best_plant, best_location_ = min(candidates, key=lambda c: (-c[0], c[1], c[2]))
        return best_plant, best_location_
    default = org.PLANTS.get(plant or "1010", org.PLANTS["1010"])
    return default.plant, default.storage_location
