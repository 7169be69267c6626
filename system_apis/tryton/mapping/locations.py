"""Warehouse storage locations and the labels that name them in the canonical model.

A level of inventory, a sales order line and a delivery line are located at a warehouse's
storage location, labelled ``"<warehouse>/<storage>"`` from the locations' codes (their names
when a code is empty), e.g. ``"WH/STO"`` for Tryton's default warehouse. Stock in locations
below the storage location (bins, shelves) counts towards it. A label also accepts the warehouse
alone (``"WH"``) when a caller names a location.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from system_apis.tryton.mapping.readers import Row, nested, optional_text, record_id

LABEL_SEPARATOR = "/"

WAREHOUSE_FIELDS = (
    "code",
    "name",
    "storage_location",
    "storage_location.code",
    "storage_location.name",
)
"""Fields of a ``stock.location`` of type ``warehouse`` read for :func:`warehouses_from_tryton`."""

WAREHOUSE_LABEL_FIELDS = (
    "code",
    "name",
    "storage_location.code",
    "storage_location.name",
)
"""The same, for a warehouse read through a dotted path (``"warehouse.code"``...)."""


@dataclass(frozen=True)
class StorageLocation:
    """The storage location of a warehouse, with the ids Tryton knows them by."""

    warehouse_id: int
    storage_id: int
    warehouse: str
    storage: str

    @property
    def label(self) -> str:
        return f"{self.warehouse}{LABEL_SEPARATOR}{self.storage}"


def _name(row: Row) -> str:
    name = optional_text(row, "code") or optional_text(row, "name")
    if name is None:
        raise ValueError(f"location {row.get('id')} has neither code nor name")
    return name


def storage_label(warehouse: Row) -> str | None:
    """The label of a warehouse row read with :data:`WAREHOUSE_LABEL_FIELDS`."""
    storage = nested(warehouse, "storage_location")
    if storage is None:
        return None
    return f"{_name(warehouse)}{LABEL_SEPARATOR}{_name(storage)}"


def warehouse_label(row: Row, name: str = "warehouse") -> str | None:
    """The storage label of the warehouse a row points to through ``name``."""
    warehouse = nested(row, name)
    return storage_label(warehouse) if warehouse is not None else None


def warehouses_from_tryton(rows: Iterable[Row]) -> list[StorageLocation]:
    """Warehouse rows → their storage locations, sorted by label."""
    locations = []
    for row in rows:
        storage = nested(row, "storage_location")
        if storage is None:
            continue
        locations.append(
            StorageLocation(
                warehouse_id=record_id(row),
                storage_id=record_id(storage),
                warehouse=_name(row),
                storage=_name(storage),
            )
        )
    return sorted(locations, key=lambda location: (location.label, location.storage_id))


def matching(locations: Iterable[StorageLocation], wanted: str) -> list[StorageLocation]:
    """The locations a caller's label names: ``"WH/STO"`` exactly, or every one of ``"WH"``."""
    wanted = wanted.strip()
    if LABEL_SEPARATOR in wanted:
        return [location for location in locations if location.label == wanted]
    return [location for location in locations if location.warehouse == wanted]
