"""The sandbox's organisational structure and fixed business settings.

Two plants, each with one storage location and a shipping point of the same number, like the
SAP best-practice demo landscape: ``1010`` (Hamburg, storage location ``0001``) and ``1710``
(Palo Alto, storage location ``171A``). Sales organisations ``1010`` and ``1710`` sell through
distribution channel ``10``, division ``00``; everything is priced in EUR. Output tax is
determined per item from the tax classifications of customer and product (see
:mod:`erp_sandbox.sap.taxes`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plant:
    """A plant, its storage location and shipping point."""

    plant: str
    storage_location: str
    shipping_point: str
    name: str


PLANTS: dict[str, Plant] = {
    "1010": Plant("1010", "0001", "1010", "Plant Hamburg"),
    "1710": Plant("1710", "171A", "1710", "Plant Palo Alto"),
}

SALES_ORGANIZATIONS: dict[str, str] = {"1010": "1010", "1710": "1710"}
"""Sales organisation to the company code it bills in."""

COMPANY_COUNTRIES: dict[str, str] = {"1010": "DE", "1710": "US"}
"""Company code to its country, the tax departure country of what it sells."""

DEFAULT_SALES_ORGANIZATION = "1010"
DEFAULT_DISTRIBUTION_CHANNEL = "10"
DEFAULT_DIVISION = "00"
DEFAULT_ORDER_TYPE = "OR"
ORDER_TYPES = frozenset({"OR"})

REJECTION_REASONS: dict[str, str] = {
    "00": "Assigned by the System (Internal)",
    "01": "Delivery date too late",
    "02": "Poor quality",
    "03": "Too expensive",
    "04": "Competitor better",
    "05": "Guarantee",
    "10": "Unreasonable request",
    "11": "Cust.to receive replacement",
    "50": "Transaction is being checked",
}
"""Reasons for rejection of sales order items (SAP's customizing table TVAG, standard codes)."""

CURRENCY = "EUR"
UNRESTRICTED = "01"
"""Inventory stock type of unrestricted-use stock."""

FIRST_SALES_ORDER = 1
FIRST_DELIVERY = 80000000
FIRST_BILLING_DOCUMENT = 90000000

PRICE_LIST = "_PriceList"
"""Sandbox-internal set of prices (EUR per base unit), keyed by product; not served."""
