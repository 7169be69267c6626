"""Credit accounts: ``CreditManagementAccount`` of ``API_CRDTMBUSINESSPARTNER`` → CreditLimit.

A business partner has one credit account per credit segment. The customer's limit is the one
of the main segment ``0000`` (SAP's overall segment, which sums over all others) when the
partner has an account there, else the one of its lowest-numbered segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from system_apis.contracts.models import CreditLimit, Money
from system_apis.sap.mapping.readers import (
    JsonObject,
    optional_text,
    required_decimal,
    required_text,
)
from system_apis.sap.odata import parse_date

MAIN_SEGMENT = "0000"


def credit_limit_from_sap(entity: JsonObject) -> CreditLimit:
    """One ``CreditManagementAccount`` → CreditLimit (amount in the segment's currency)."""
    currency = required_text(entity, "CreditSegmentCurrency").strip()
    blocked = entity.get("CreditAccountIsBlocked", False)
    if not isinstance(blocked, bool):
        raise ValueError(f"CreditAccountIsBlocked is not a boolean: {blocked!r}")
    return CreditLimit(
        amount=Money(amount=required_decimal(entity, "CreditLimitAmount"), currency=currency),
        credit_segment=optional_text(entity, "CreditSegment"),
        valid_to=parse_date(entity.get("CreditLimitValidityEndDate")),
        blocked=blocked,
    )


def _rank(segment: str) -> tuple[int, str]:
    return (0 if segment == MAIN_SEGMENT else 1, segment)


def limits_by_partner(accounts: Iterable[JsonObject]) -> Mapping[str, CreditLimit]:
    """Business partner number → the credit limit that stands for the customer."""
    chosen: dict[str, JsonObject] = {}
    for account in accounts:
        partner = required_text(account, "BusinessPartner")
        segment = required_text(account, "CreditSegment")
        current = chosen.get(partner)
        if current is None or _rank(segment) < _rank(required_text(current, "CreditSegment")):
            chosen[partner] = account
    return {partner: credit_limit_from_sap(account) for partner, account in chosen.items()}
