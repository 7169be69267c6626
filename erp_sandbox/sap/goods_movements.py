"""Goods movements: material documents posted by deep insert, and those of goods issues.

``POST A_MaterialDocumentHeader`` with ``to_MaterialDocumentItem`` posts one material document.
The goods movement code of the header decides which movement types its items may carry:

=====  ======================================  ====================================
code   transaction                              movement types the sandbox posts
=====  ======================================  ====================================
05     other goods receipts (MB1C)             501 receipt without purchase order,
                                               561 initial entry of stock
03     goods issue (MB1A)                      201 consumption for cost center,
                                               551 withdrawal for scrapping
=====  ======================================  ====================================

Receipts add to, issues take from, the unrestricted-use stock of the item's plant and storage
location; movement type 201 needs a cost center. An issue beyond the unrestricted stock is
refused with ``M7/021`` (one detail per short material and place) and nothing is posted. The
quantity is entered in the material's base unit (the sandbox converts no units).

Material documents are numbered from 4900000000 within the posting year and stamped with the
entry date and time (``CreationDate``, ``CreationTime``: UTC in the sandbox, to the second like
SAP). A goods issue for an outbound delivery also writes a material document (movement type
601, reference document the delivery), as SAP does, so every stock change has a document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from erp_sandbox.odata.edm import Row
from erp_sandbox.odata.errors import ErrorDetail
from erp_sandbox.odata.payload import parse_entity
from erp_sandbox.sap import org
from erp_sandbox.sap.records import blank, business_error, day, entity_type, load, quantity, save
from erp_sandbox.sap.stock import available, set_stock
from erp_sandbox.sap.store import Transaction

HEADERS = "A_MaterialDocumentHeader"
ITEMS = "A_MaterialDocumentItem"
FIRST_MATERIAL_DOCUMENT = 4900000000
DELIVERY_GOODS_ISSUE = "601"

RECEIPTS = frozenset({"501", "561"})
MOVEMENT_TYPES: dict[str, frozenset[str]] = {
    "05": frozenset({"501", "561"}),
    "03": frozenset({"201", "551"}),
}
"""Goods movement code → the movement types the sandbox posts with it."""

TRANSACTION_TYPES = {"05": "WA", "03": "WA"}
"""Goods movement code → ``InventoryTransactionType`` (``WA``: goods movements of MB1A/MB1C)."""

USER = "GATEWAY"


@dataclass(frozen=True)
class Movement:
    """One checked item to post: material, place, movement type, signed base quantity."""

    item: Row
    material: str
    plant: str
    storage_location: str
    change: Decimal
    unit: str


def _movement(
    tx: Transaction, code: str, number: int, entry: dict[str, Any], errors: list[ErrorDetail]
) -> Movement | None:
    values = parse_entity(entity_type(ITEMS), entry).values
    movement_type = values.get("GoodsMovementType") or ""
    if movement_type not in MOVEMENT_TYPES[code]:
        allowed = ", ".join(sorted(MOVEMENT_TYPES[code]))
        errors.append(
            ErrorDetail(
                "M7/093",
                f"Movement type {movement_type or '(empty)'} is not allowed with goods movement "
                f"code {code} (allowed: {allowed})",
                "GoodsMovementType",
            )
        )
        return None
    material = values.get("Material") or ""
    product = load(tx, "A_Product", material) if material else None
    if product is None or product["IsMarkedForDeletion"]:
        errors.append(
            ErrorDetail("M3/305", f"Material {material or '(empty)'} does not exist", "Material")
        )
        return None
    plant = values.get("Plant") or ""
    if plant not in org.PLANTS:
        errors.append(ErrorDetail("ME/040", f"Plant {plant or '(empty)'} does not exist", "Plant"))
        return None
    location = values.get("StorageLocation") or ""
    if location != org.PLANTS[plant].storage_location:
        errors.append(
            ErrorDetail(
                "M7/001",
                f"Storage location {location or '(empty)'} is not defined for plant {plant}",
                "StorageLocation",
            )
        )
        return None
    amount = values.get("QuantityInEntryUnit")
    if amount is None or amount <= 0:
        errors.append(
            ErrorDetail("M7/016", f"Enter a quantity greater than zero for item {number}")
        )
        return None
    unit = values.get("EntryUnit") or product["BaseUnit"]
    if unit != product["BaseUnit"]:
        errors.append(
            ErrorDetail(
                "M7/148",
                f"Unit {unit} is not defined for material {material} "
                f"(base unit {product['BaseUnit']})",
                "EntryUnit",
            )
        )
        return None
    cost_center = values.get("CostCenter") or ""
    if movement_type == "201" and not cost_center:
        errors.append(
            ErrorDetail("M7/134", "Enter a cost center for movement type 201", "CostCenter")
        )
        return None
    item = blank(ITEMS)
    item.update(
        MaterialDocumentItem=f"{number:04d}",
        Material=material,
        Plant=plant,
        StorageLocation=location,
        GoodsMovementType=movement_type,
        InventoryStockType=org.UNRESTRICTED,
        GoodsMovementReasonCode=values.get("GoodsMovementReasonCode") or "",
        CostCenter=cost_center,
        MaterialDocumentItemText=values.get("MaterialDocumentItemText") or "",
    )
    change = amount if movement_type in RECEIPTS else -amount
    return Movement(item, material, plant, location, change, unit)


def _check_stock(tx: Transaction, movements: Iterable[Movement]) -> None:
    """Refuse the whole document when an issue exceeds the unrestricted stock of a place."""
    needed: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for movement in movements:
        key = (movement.material, movement.plant, movement.storage_location)
        amount, _ = needed.get(key, (Decimal(0), movement.unit))
        needed[key] = (amount + movement.change, movement.unit)
    deficits = []
    for (material, plant, location), (change, unit) in needed.items():
        on_hand = available(tx, material, plant, location)
        if on_hand + change < 0:
            deficits.append(
                ErrorDetail(
                    "M7/021",
                    f"Deficit of SL Unrestricted-use {quantity(-(on_hand + change))} {unit} : "
                    f"{material} {plant} {location}",
                )
            )
    if deficits:
        raise business_error(deficits[0].code, deficits[0].message, details=tuple(deficits))


def _post(tx: Transaction, header: Row, movements: list[Movement], now: datetime) -> Row:
    """Number, stamp and save the document and change the stock it moves."""
    posting = header["PostingDate"] or day(now)
    year = str(posting.year)
    number = str(tx.next_number(f"MaterialDocument{year}", FIRST_MATERIAL_DOCUMENT))
    header.update(
        MaterialDocumentYear=year,
        MaterialDocument=number,
        PostingDate=posting,
        DocumentDate=header["DocumentDate"] or day(now),
        CreationDate=day(now),
        CreationTime=now.time().replace(microsecond=0, tzinfo=None),
        CreatedByUser=USER,
    )
    save(tx, HEADERS, header)
    for movement in movements:
        item = movement.item
        item.update(
            MaterialDocumentYear=year,
            MaterialDocument=number,
            MaterialBaseUnit=movement.unit,
            QuantityInBaseUnit=quantity(abs(movement.change)),
            EntryUnit=movement.unit,
            QuantityInEntryUnit=quantity(abs(movement.change)),
            DebitCreditCode="S" if movement.change > 0 else "H",
        )
        save(tx, ITEMS, item)
        on_hand = available(tx, movement.material, movement.plant, movement.storage_location)
        set_stock(
            tx,
            movement.material,
            movement.plant,
            movement.storage_location,
            on_hand + movement.change,
            movement.unit,
        )
    return header


def create_material_document(tx: Transaction, document: dict[str, Any], now: datetime) -> Row:
    """Post a material document from a deep-insert body; the new header row."""
    payload = parse_entity(entity_type(HEADERS), document)
    code = payload.values.get("GoodsMovementCode") or ""
    if code not in MOVEMENT_TYPES:
        raise business_error(
            "M7/092",
            f"Goods movement code {code or '(empty)'} is not supported "
            f"(supported: {', '.join(sorted(MOVEMENT_TYPES))})",
            target="GoodsMovementCode",
        )
    entries = payload.navigations.get("to_MaterialDocumentItem", [])
    if not entries:
        raise business_error(
            "M7/018", "The material document contains no items", target="to_MaterialDocumentItem"
        )
    errors: list[ErrorDetail] = []
    checked = [_movement(tx, code, index, entry, errors) for index, entry in enumerate(entries, 1)]
    if errors:
        raise business_error(errors[0].code, errors[0].message, details=tuple(errors))
    movements = [movement for movement in checked if movement is not None]
    _check_stock(tx, movements)
    header = blank(HEADERS)
    header.update(
        InventoryTransactionType=TRANSACTION_TYPES[code],
        GoodsMovementCode=code,
        DocumentDate=payload.values.get("DocumentDate"),
        PostingDate=payload.values.get("PostingDate"),
        MaterialDocumentHeaderText=payload.values.get("MaterialDocumentHeaderText") or "",
        ReferenceDocument=payload.values.get("ReferenceDocument") or "",
    )
    return _post(tx, header, movements, now)


def record_delivery_issue(tx: Transaction, delivery: str, items: list[Row], now: datetime) -> Row:
    """The material document of a delivery's goods issue (movement type 601); moves the stock.

    The caller has checked the stock already.
    """
    movements = []
    for number, row in enumerate(items, 1):
        item = blank(ITEMS)
        item.update(
            MaterialDocumentItem=f"{number:04d}",
            Material=row["Material"],
            Plant=row["Plant"],
            StorageLocation=row["StorageLocation"],
            GoodsMovementType=DELIVERY_GOODS_ISSUE,
            InventoryStockType=org.UNRESTRICTED,
            Delivery=delivery,
            DeliveryItem=row["DeliveryDocumentItem"],
        )
        movements.append(
            Movement(
                item,
                row["Material"],
                row["Plant"],
                row["StorageLocation"],
                -row["ActualDeliveryQuantity"],
                row["DeliveryQuantityUnit"],
            )
        )
    header = blank(HEADERS)
    header.update(
        InventoryTransactionType="WL",
        PostingDate=day(now),
        DocumentDate=day(now),
        ReferenceDocument=delivery,
    )
    return _post(tx, header, movements, now)
