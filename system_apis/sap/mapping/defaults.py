"""``SapDefaults``: the organisational data and fallbacks the mapping applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from system_apis.contracts.limits import FieldLimits

STANDARD_UNIT_DECIMALS: Mapping[str, int] = {
    "PC": 0,
    "ST": 0,
    "EA": 0,
    "PAK": 0,
    "CAR": 0,
    "BOX": 0,
    "KG": 3,
    "G": 3,
    "L": 3,
    "M": 3,
}
"""Decimal places of SAP's standard units (table T006, field DECAN), keyed by the unit code
the OData APIs show. SAP's public APIs offer no read of them, so a connection's setting
``unit_decimals`` adds to or overrides these."""


@dataclass(frozen=True)
class SapDefaults:
    """Organisational data SAP needs on a new sales order, and fallbacks for reading.

    ``currency`` is used when SAP leaves a document's currency empty; ``language`` picks the
    product description; ``unit_decimals`` gives the decimal places of each unit (units not
    in it are not checked).
    """

    sales_organization: str = "1010"
    distribution_channel: str = "10"
    division: str = "00"
    order_type: str = "OR"
    currency: str = "EUR"
    language: str = "EN"
    unit_decimals: Mapping[str, int] = field(default_factory=lambda: dict(STANDARD_UNIT_DECIMALS))


SAP_LIMITS = FieldLimits(order_reference=35, movement_reference=25)
"""``PurchaseOrderByCustomer`` holds 35 characters, ``MaterialDocumentHeaderText`` 25."""
