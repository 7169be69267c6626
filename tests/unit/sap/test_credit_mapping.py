"""Credit Management payloads (``CreditManagementAccount`` as OData v2 JSON) → CreditLimit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from system_apis.sap.mapping.credit import credit_limit_from_sap, limits_by_partner

pytestmark = pytest.mark.unit


def account(**overrides: Any) -> dict[str, Any]:
    # The shape S/4HANA answers for API_CRDTMBUSINESSPARTNER/CreditManagementAccount: amounts
    # as strings, blank strings for unset texts, /Date(ms)/ for dates, null for no date.
    entity: dict[str, Any] = {
        "__metadata": {
            "id": "https://host/sap/opu/odata/sap/API_CRDTMBUSINESSPARTNER/"
            "CreditManagementAccount(BusinessPartner='10100005',CreditSegment='1000')",
            "type": "API_CRDTMBUSINESSPARTNER.CreditManagementAccountType",
        },
        "BusinessPartner": "10100005",
        "CreditSegment": "1000",
        "BusinessPartnerIsCritical": False,
        "CreditAccountIsBlocked": False,
        "CreditAccountBlockReason": "",
        "CreditLimitAmount": "150000.00",
        "CreditLimitValidityEndDate": None,
        "CreditLimitCalculatedAmount": "0.00",
        "CreditLimitIsZero": False,
        "CreditSegmentCurrency": "USD",
    }
    entity.update(overrides)
    return entity


def test_an_account_becomes_a_limit_in_its_segment_currency() -> None:
    limit = credit_limit_from_sap(account())
    assert limit.amount.amount == Decimal("150000.00")
    assert limit.amount.currency == "USD"
    assert limit.credit_segment == "1000"
    assert limit.valid_to is None
    assert limit.blocked is False


def test_validity_end_and_block() -> None:
    limit = credit_limit_from_sap(
        account(
            CreditLimitValidityEndDate="/Date(1767139200000)/",
            CreditAccountIsBlocked=True,
            CreditAccountBlockReason="01",
            CreditLimitAmount="0.00",
        )
    )
    assert limit.valid_to == dt.date(2025, 12, 31)
    assert limit.blocked is True
    assert limit.amount.amount == 0


def test_the_main_segment_stands_for_the_customer_else_the_lowest() -> None:
    limits = limits_by_partner(
        [
            account(BusinessPartner="10100001", CreditSegment="1010", CreditLimitAmount="60000"),
            account(BusinessPartner="10100001", CreditSegment="0000", CreditLimitAmount="99000"),
            account(BusinessPartner="10100007", CreditSegment="1710"),
            account(BusinessPartner="10100007", CreditSegment="1010", CreditSegmentCurrency="EUR"),
        ]
    )
    assert limits["10100001"].credit_segment == "0000"
    assert limits["10100001"].amount.amount == Decimal("99000")
    assert limits["10100007"].credit_segment == "1010"
    assert limits["10100007"].amount.currency == "EUR"
    assert set(limits) == {"10100001", "10100007"}


@pytest.mark.parametrize(
    "broken",
    [
        {"CreditLimitAmount": "lots"},
        {"CreditSegmentCurrency": None},
        {"CreditSegmentCurrency": "EURO"},
        {"CreditAccountIsBlocked": "X"},
        {"CreditLimitValidityEndDate": "tomorrow"},
    ],
)
def test_a_payload_sap_should_not_send_is_an_error(broken: dict[str, Any]) -> None:
    with pytest.raises((KeyError, ValueError)):
        credit_limit_from_sap(account(**broken))
