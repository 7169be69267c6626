"""``SapDefaults``: the organisational data and fallbacks the mapping applies."""

from __future__ import annotations

from dataclasses import dataclass

from system_apis.contracts.limits import FieldLimits


@dataclass(frozen=True)
class SapDefaults:
    """Organisational data SAP needs on a new sales order, and fallbacks for reading.

    ``currency`` is used when SAP leaves a document's currency empty; ``language`` picks the
    product description.
    """

    sales_organization: str = "1010"
    distribution_channel: str = "10"
    division: str = "00"
    order_type: str = "OR"
    currency: str = "EUR"
    language: str = "EN"


SAP_LIMITS = FieldLimits(order_reference=35, movement_reference=25)
"""``PurchaseOrderByCustomer`` holds 35 characters, ``MaterialDocumentHeaderText`` 25."""
