"""Entity types of SAP Credit Management master data (``API_CRDTMBUSINESSPARTNER``).

S/4HANA serves a business partner's credit master data over the OData v2 service
``API_CRDTMBUSINESSPARTNER`` ("Credit Management Master Data"): ``CreditMgmtBusinessPartner``
holds the partner's credit profile (risk class, credit check rule, score) and
``CreditManagementAccount`` one credit account per partner and credit segment, with the
credit limit in the segment's currency. The sandbox defines the account's properties the
gateway reads and a few that give it its shape; ``docs/sap.md`` says which names are taken
from published material and what is simplified (no profile entity, no exposure).
"""

from __future__ import annotations

from erp_sandbox.odata.edm import (
    EntitySet,
    EntityType,
    Service,
    boolean,
    date,
    decimal,
    key_string,
    string,
)

CREDIT_MANAGEMENT_ACCOUNT = EntityType(
    name="CreditManagementAccountType",
    label="Credit Account",
    keys=("BusinessPartner", "CreditSegment"),
    properties=(
        key_string("BusinessPartner", 10, alpha=True, label="Business Partner"),
        key_string("CreditSegment", 10, label="Credit Segment"),
        decimal("CreditLimitAmount", 15, 2, unit="CreditSegmentCurrency", label="Credit Limit"),
        string("CreditSegmentCurrency", 5, semantics="currency-code", label="Currency"),
        date("CreditLimitValidityEndDate", label="Limit Valid To"),
        date("CreditLimitLastChangeDate", label="Limit Changed On"),
        decimal(
            "CreditLimitCalculatedAmount",
            15,
            2,
            unit="CreditSegmentCurrency",
            label="Calculated Credit Limit",
        ),
        boolean("CreditLimitIsZero", label="Credit Limit Is Zero"),
        boolean("CreditAccountIsBlocked", label="Blocked in Credit Management"),
        string("CreditAccountBlockReason", 3, label="Block Reason"),
        boolean("BusinessPartnerIsCritical", label="Special Attention"),
    ),
)

CREDIT_MANAGEMENT_SERVICE = Service(
    name="API_CRDTMBUSINESSPARTNER",
    component_id="FIN-FSCM-CR",
    entity_sets=(EntitySet("CreditManagementAccount", CREDIT_MANAGEMENT_ACCOUNT),),
)
