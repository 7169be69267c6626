"""Material documents (``API_MATERIAL_DOCUMENT_SRV``): stock adjustments and their times.

A :class:`~system_apis.contracts.commands.StockAdjustment` becomes one material document with
one item. Its reference travels in ``MaterialDocumentHeaderText`` (at most 25 characters), the
field the adapter searches before posting so that a reference is posted once:
:func:`header_text` keeps a reference of up to 25 characters as it is and maps a longer one to
its first 12 characters (without blanks at either end), ``~`` and as many hex digits of its
SHA-256 as fill 25 characters (at least 12), the same on every call and every gateway replica.

Material documents are stamped with their entry date and time (``CreationDate``, an
``Edm.DateTime`` date, and ``CreationTime``, an ``Edm.Time`` such as ``PT14H05M09S``) in the
system's time zone, to the second.

Whether an item was a receipt or an issue is its ``DebitCreditCode`` (``S`` debit, ``H``
credit), which only newer releases have: :func:`declares_debit_credit` reads it from the
service's ``$metadata``. Without it the direction follows from ``GoodsMovementType``
(:data:`DEBIT_TYPES`, :data:`CREDIT_TYPES`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from system_apis.contracts.commands import StockAdjustment
from system_apis.sap.mapping.readers import (
    JsonObject,
    expanded,
    optional_decimal,
    optional_text,
    required_text,
)
from system_apis.sap.odata import format_datetime, parse_date

HEADER_TEXT_LENGTH = 25
_HASHED_PREFIX = 12
_DURATION = re.compile(r"PT(?:(\d{1,2})H)?(?:(\d{1,2})M)?(?:(\d{1,2})(?:\.\d+)?S)?")

GOODS_MOVEMENT_CODES = {"501": "05", "561": "05", "201": "03", "551": "03"}
"""Movement type → the goods movement code (transaction) it is posted with."""

RECEIPT_TYPES = frozenset({"501", "561"})
ISSUE_TYPES = frozenset({"201", "551"})

DEBIT_TYPES = frozenset({"101", "501", "561", "202", "262", "552", "602"})
"""Movement types that put stock in (``S``): receipts and reversals of issues."""
CREDIT_TYPES = frozenset({"201", "261", "551", "601", "102", "502", "562"})
"""Movement types that take stock out (``H``): issues and reversals of receipts."""
ITEM_TYPE = "A_MaterialDocumentItemType"


@dataclass(frozen=True)
class MovementTypes:
    """How adjustments are posted: movement types for receipts and issues, and the cost center
    that issues (consumption, scrapping) are charged to when one is needed.

    The defaults: 501 (receipt without purchase order) for goods found or received outside
    purchasing, 551 (withdrawal for scrapping) for goods that are gone, with no cost center
    (SAP takes the default account assignment of the movement type).
    """

    receipt: str = "501"
    issue: str = "551"
    cost_center: str | None = None

    def __post_init__(self) -> None:
        if self.receipt not in RECEIPT_TYPES:
            raise ValueError(f"receipt movement type must be one of {sorted(RECEIPT_TYPES)}")
        if self.issue not in ISSUE_TYPES:
            raise ValueError(f"issue movement type must be one of {sorted(ISSUE_TYPES)}")


def header_text(reference: str) -> str:
    """The ``MaterialDocumentHeaderText`` that carries ``reference`` (see the module doc)."""
    text = reference.strip()
    if len(text) <= HEADER_TEXT_LENGTH and text == reference:
        return text
    # Blanks at either end of a text field do not survive in SAP; the digest fills up to 25.
    prefix = reference[:_HASHED_PREFIX].strip()
    digest = hashlib.sha256(reference.encode()).hexdigest()
    return f"{prefix}~{digest[: HEADER_TEXT_LENGTH - len(prefix) - 1]}"


def material_document_body(
    adjustment: StockAdjustment,
    plant: str,
    storage_location: str,
    unit: str,
    types: MovementTypes,
    today: dt.date,
) -> dict[str, Any]:
    """The deep-insert body posting ``adjustment`` at a plant and storage location."""
    movement_type = types.receipt if adjustment.quantity > 0 else types.issue
    item: dict[str, object] = {
        "Material": adjustment.sku,
        "Plant": plant,
        "StorageLocation": storage_location,
        "GoodsMovementType": movement_type,
        "QuantityInEntryUnit": f"{abs(adjustment.quantity):f}",
        "EntryUnit": unit,
    }
    if movement_type in ISSUE_TYPES and types.cost_center:
        item["CostCenter"] = types.cost_center
    if adjustment.reason:
        item["MaterialDocumentItemText"] = adjustment.reason[:50]
    return {
        "GoodsMovementCode": GOODS_MOVEMENT_CODES[movement_type],
        "PostingDate": format_datetime(today),
        "DocumentDate": format_datetime(today),
        "MaterialDocumentHeaderText": header_text(adjustment.reference),
        "to_MaterialDocumentItem": {"results": [item]},
    }


def declares_debit_credit(metadata: str) -> bool:
    """Whether the EDMX ``metadata`` of ``API_MATERIAL_DOCUMENT_SRV`` has
    ``A_MaterialDocumentItemType.DebitCreditCode``; ValueError if it has no such entity type."""
    try:
        root = ET.fromstring(metadata)
    except ET.ParseError as exc:
        raise ValueError(f"material document $metadata is not XML: {exc}") from exc
    for element in root.iter():
        if _local(element.tag) == "EntityType" and element.get("Name") == ITEM_TYPE:
            return any(
                _local(child.tag) == "Property" and child.get("Name") == "DebitCreditCode"
                for child in element
            )
    raise ValueError(f"material document $metadata has no entity type {ITEM_TYPE}")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_time(value: object) -> dt.time:
    """An ``Edm.Time`` (``PT14H05M09S``) as a time of day."""
    if not isinstance(value, str):
        raise ValueError(f"not an Edm.Time: {value!r}")
    match = _DURATION.fullmatch(value.strip())
    if match is None or value.strip() == "PT":
        raise ValueError(f"not an Edm.Time: {value!r}")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return dt.time(hours, minutes, seconds)


def document_time(header: JsonObject, zone: ZoneInfo) -> dt.datetime:
    """When a material document was entered, as an aware UTC time (to the second)."""
    day = parse_date(header.get("CreationDate"))
    if day is None:
        raise ValueError(f"material document {header.get('MaterialDocument')} has no entry date")
    moment = dt.datetime.combine(day, parse_time(header.get("CreationTime")), tzinfo=zone)
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class Movement:
    """One item of a material document: what moved where, and how much (signed; None when the
    quantity or its direction is not known)."""

    material: str
    plant: str
    storage_location: str
    unit: str
    quantity: Decimal | None


def movements(header: JsonObject) -> list[Movement]:
    """The items of a material document (``to_MaterialDocumentItem`` expanded)."""
    items = expanded(header, "to_MaterialDocumentItem")
    if items is None:
        raise ValueError("material document items were not expanded")
    result = []
    for item in items:
        amount = optional_decimal(item, "QuantityInBaseUnit")
        if amount is None:
            amount = optional_decimal(item, "QuantityInEntryUnit")
        if amount is not None:
            amount = _signed(item, amount)
        result.append(
            Movement(
                material=required_text(item, "Material"),
                plant=required_text(item, "Plant"),
                storage_location=optional_text(item, "StorageLocation") or "",
                unit=optional_text(item, "MaterialBaseUnit")
                or optional_text(item, "EntryUnit")
                or "",
                quantity=amount,
            )
        )
    return result


def _signed(item: JsonObject, amount: Decimal) -> Decimal | None:
    """``amount`` negative when the item took stock out: by its ``DebitCreditCode``, else by
    its movement type; None when neither tells (a movement type outside both lists)."""
    code = optional_text(item, "DebitCreditCode")
    if code:
        return -amount if code == "H" else amount
    movement_type = optional_text(item, "GoodsMovementType") or ""
    if movement_type in CREDIT_TYPES:
        return -amount
    if movement_type in DEBIT_TYPES:
        return amount
    return None
