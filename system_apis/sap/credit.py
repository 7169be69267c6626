"""Credit limits of a page of customers, read in one request.

``API_CRDTMBUSINESSPARTNER``'s ``CreditManagementAccount`` is keyed by business partner and
credit segment. A page of customers asking for their limits costs one more request: the
accounts of every partner on the page (``BusinessPartner eq … or …``), ordered by partner
and segment. Without the detail nothing is requested, so the ERP is never asked for a limit
the caller may not see.
"""

from __future__ import annotations

from collections.abc import Sequence

from system_apis.sap.answers import JsonObject
from system_apis.sap.client import SapODataClient
from system_apis.sap.odata import one_of

CREDIT_SERVICE = "API_CRDTMBUSINESSPARTNER"
CREDIT_ACCOUNT_SET = "CreditManagementAccount"
CREDIT_ACCOUNT_SELECT = (
    "BusinessPartner",
    "CreditSegment",
    "CreditLimitAmount",
    "CreditSegmentCurrency",
    "CreditLimitValidityEndDate",
    "CreditAccountIsBlocked",
)
SEGMENTS_PER_PARTNER = 20
"""Room in the one request for this many credit segments per partner."""


async def credit_accounts(client: SapODataClient, partners: Sequence[str]) -> list[JsonObject]:
    """Every credit account of ``partners`` (see :func:`~.mapping.credit.limits_by_partner`)."""
    wanted = list(dict.fromkeys(partners))
    if not wanted:
        return []
    answer = await client.get_collection(
        CREDIT_SERVICE,
        CREDIT_ACCOUNT_SET,
        filter=one_of("BusinessPartner", wanted),
        select=CREDIT_ACCOUNT_SELECT,
        orderby=("BusinessPartner", "CreditSegment"),
        top=len(wanted) * SEGMENTS_PER_PARTNER,
    )
    return answer.results
