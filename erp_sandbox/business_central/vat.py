"""VAT as Business Central computes it: the VAT posting setup of a customer's VAT business
posting group and an item's VAT product posting group gives the line's VAT identifier and rate.

API v2.0 shows the business group as the customer's ``taxAreaId``/``taxAreaDisplayName`` and the
product group as the item's ``taxGroupId``/``taxGroupCode``; a sales line carries the result as
``taxCode`` and ``taxPercent``, and its tax is the net amount times the rate, rounded to cents.
The sandbox's company sells from Great Britain: customers there are ``DOMESTIC``, everyone else
``EXPORT`` (no VAT); items are ``VAT25`` (full rate) or, for the miscellaneous category, ``VAT10``
(reduced rate).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

HOME_COUNTRY = "GB"
DOMESTIC, EXPORT = "DOMESTIC", "EXPORT"
FULL, REDUCED = "VAT25", "VAT10"

POSTING_SETUP: dict[tuple[str, str], tuple[str, Decimal]] = {
    (DOMESTIC, FULL): ("VAT25", Decimal(25)),
    (DOMESTIC, REDUCED): ("VAT10", Decimal(10)),
    (EXPORT, FULL): ("VAT0", Decimal(0)),
    (EXPORT, REDUCED): ("VAT0", Decimal(0)),
}
"""(VAT business posting group, VAT product posting group) → (VAT identifier, VAT %)."""


def business_group(country: str) -> str:
    """The VAT business posting group of a customer in ``country``."""
    return DOMESTIC if country == HOME_COUNTRY else EXPORT


def product_group(item_category: str) -> str:
    """The VAT product posting group of an item of ``item_category``."""
    return REDUCED if item_category == "MISC" else FULL


def group_id(code: str) -> str:
    """The stable id of a posting group, as the API shows it next to the code."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bc-sandbox:vat-group:{code}"))


def setup(customer: dict[str, object], item: dict[str, object]) -> tuple[str, Decimal]:
    """The VAT identifier and rate of a line selling ``item`` to ``customer``."""
    key = (str(customer["taxAreaDisplayName"]), str(item["taxGroupCode"]))
    return POSTING_SETUP.get(key, ("VAT0", Decimal(0)))
