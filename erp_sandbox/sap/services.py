"""The SAP OData services the sandbox serves, and where each entity set lives.

=====================================  ============================================
service (URL segment)                  entity sets, function imports
=====================================  ============================================
``API_BUSINESS_PARTNER``               A_BusinessPartner, A_BusinessPartnerAddress,
                                       A_CustomerSalesAreaTax
``API_PRODUCT_SRV``                    A_Product, A_ProductDescription, A_ProductSalesTax
``API_MATERIAL_STOCK_SRV``             A_MatlStkInAcctMod
``API_SALES_ORDER_SRV``                A_SalesOrder (deep insert, PATCH), A_SalesOrderItem
``API_OUTBOUND_DELIVERY_SRV;v=0002``   A_OutbDeliveryHeader (create), A_OutbDeliveryItem,
                                       PickAllItems, PostGoodsIssue
``API_BILLING_DOCUMENT_SRV``           A_BillingDocument, A_BillingDocumentItem, Cancel, GetPDF
                                       (creation is the OData v4 billing document API's
                                       ``CreateFromSDDocument``, see
                                       :mod:`erp_sandbox.sap.billing_v4`)
``API_MATERIAL_DOCUMENT_SRV``          A_MaterialDocumentHeader (deep insert),
                                       A_MaterialDocumentItem
``SFSF_EC_EMPLOYEE``                   EmpEmployment, PerPerson, PerPersonal, EmpJob,
(SuccessFactors, not a gateway         EmpCompensation, EmpPayCompRecurring,
service: served at ``/odata/v2/``)     PaymentInformationV3, PaymentInformationDetailV3
                                       (see :mod:`erp_sandbox.sap.schema_people`,
                                       :mod:`erp_sandbox.sap.successfactors`)
``API_CRDTMBUSINESSPARTNER``           CreditManagementAccount
                                       (see :mod:`erp_sandbox.sap.schema_credit`)
=====================================  ============================================
"""

from __future__ import annotations

from dataclasses import replace

from erp_sandbox.odata.edm import (
    EdmType,
    EntitySet,
    EntityType,
    FunctionImport,
    Parameter,
    Service,
)
from erp_sandbox.sap import schema_documents as documents
from erp_sandbox.sap import schema_master as master
from erp_sandbox.sap import schema_material_documents as material_documents
from erp_sandbox.sap.schema_credit import CREDIT_MANAGEMENT_SERVICE
from erp_sandbox.sap.schema_functions import CANCEL_RESULT, GET_PDF_RESULT, PICKING_REPORT
from erp_sandbox.sap.schema_people import EMPLOYEE_SERVICE

BUSINESS_PARTNER_SERVICE = Service(
    name="API_BUSINESS_PARTNER",
    component_id="LO-MD-BP",
    entity_sets=(
        EntitySet("A_BusinessPartner", master.BUSINESS_PARTNER),
        EntitySet("A_BusinessPartnerAddress", master.BUSINESS_PARTNER_ADDRESS),
        EntitySet("A_CustomerSalesAreaTax", master.CUSTOMER_SALES_AREA_TAX),
    ),
)

PRODUCT_SERVICE = Service(
    name="API_PRODUCT_SRV",
    component_id="LO-MD-MM",
    entity_sets=(
        EntitySet("A_Product", master.PRODUCT),
        EntitySet("A_ProductDescription", master.PRODUCT_DESCRIPTION),
        EntitySet("A_ProductSalesTax", master.PRODUCT_SALES_TAX),
    ),
)

MATERIAL_STOCK_SERVICE = Service(
    name="API_MATERIAL_STOCK_SRV",
    component_id="MM-IM-VDM-SGM",
    entity_sets=(EntitySet("A_MatlStkInAcctMod", master.MATERIAL_STOCK),),
)

SALES_ORDER_SERVICE = Service(
    name="API_SALES_ORDER_SRV",
    component_id="SD-SLS-API",
    entity_sets=(
        EntitySet("A_SalesOrder", documents.SALES_ORDER, creatable=True, updatable=True),
        EntitySet("A_SalesOrderItem", documents.SALES_ORDER_ITEM),
    ),
)

OUTBOUND_DELIVERY_SERVICE = Service(
    name="API_OUTBOUND_DELIVERY_SRV",
    version="0002",
    component_id="LE-SHP-API",
    entity_sets=(
        EntitySet("A_OutbDeliveryHeader", documents.DELIVERY, creatable=True),
        EntitySet("A_OutbDeliveryItem", documents.DELIVERY_ITEM),
    ),
    functions=(
        FunctionImport(
            "PickAllItems",
            None,
            (Parameter("DeliveryDocument", EdmType.STRING, 10),),
            action_for="A_OutbDeliveryHeaderType",
            returns=PICKING_REPORT,
            many=True,
        ),
        FunctionImport(
            "PostGoodsIssue",
            None,
            (Parameter("DeliveryDocument", EdmType.STRING, 10),),
            action_for="A_OutbDeliveryHeaderType",
            returns=PICKING_REPORT,
            many=True,
        ),
    ),
)

BILLING_DOCUMENT_SERVICE = Service(
    name="API_BILLING_DOCUMENT_SRV",
    component_id="SD-BIL-API",
    entity_sets=(
        EntitySet("A_BillingDocument", documents.BILLING_DOCUMENT),
        EntitySet("A_BillingDocumentItem", documents.BILLING_DOCUMENT_ITEM),
    ),
    functions=(
        FunctionImport(
            "Cancel",
            None,
            (Parameter("BillingDocument", EdmType.STRING, 11000),),
            action_for="A_BillingDocumentType",
            returns=CANCEL_RESULT,
            many=True,
        ),
        FunctionImport(
            "GetPDF",
            None,
            (Parameter("BillingDocument", EdmType.STRING, 11000),),
            http_method="GET",
            action_for="A_BillingDocumentType",
            returns=GET_PDF_RESULT,
        ),
    ),
)

MATERIAL_DOCUMENT_SERVICE = Service(
    name="API_MATERIAL_DOCUMENT_SRV",
    component_id="MM-IM-GF-API",
    entity_sets=(
        EntitySet(
            "A_MaterialDocumentHeader",
            material_documents.MATERIAL_DOCUMENT_HEADER,
            creatable=True,
        ),
        EntitySet("A_MaterialDocumentItem", material_documents.MATERIAL_DOCUMENT_ITEM),
    ),
)

OLDER_MATERIAL_DOCUMENT_SERVICE = replace(
    MATERIAL_DOCUMENT_SERVICE,
    entity_sets=(
        MATERIAL_DOCUMENT_SERVICE.entity_sets[0],
        EntitySet("A_MaterialDocumentItem", material_documents.OLDER_MATERIAL_DOCUMENT_ITEM),
    ),
)
"""The material document service of an older release: its items lack ``DebitCreditCode``."""

SERVICES: tuple[Service, ...] = (
    BUSINESS_PARTNER_SERVICE,
    PRODUCT_SERVICE,
    MATERIAL_STOCK_SERVICE,
    SALES_ORDER_SERVICE,
    OUTBOUND_DELIVERY_SERVICE,
    BILLING_DOCUMENT_SERVICE,
    MATERIAL_DOCUMENT_SERVICE,
    EMPLOYEE_SERVICE,
    CREDIT_MANAGEMENT_SERVICE,
)


def find_service(segment: str, *, older_release: bool = False) -> Service | None:
    """The service addressed by a URL segment such as ``API_OUTBOUND_DELIVERY_SRV;v=0002``.

    A service whose version is 0001 may also be addressed with ``;v=0001`` (or ``;v=1``).
    ``older_release`` answers the services as an older S/4HANA release offers them.
    """
    name, _, options = segment.partition(";")
    version = "0001"
    if options:
        key, _, value = options.partition("=")
        if key.strip().lower() != "v" or not value.strip().isdigit():
            return None
        version = value.strip().rjust(4, "0")
    for service in SERVICES:
        if service is EMPLOYEE_SERVICE:  # another system's API, not an S/4HANA service
            continue
        if service.name == name and service.version == version:
            if older_release and service is MATERIAL_DOCUMENT_SERVICE:
                return OLDER_MATERIAL_DOCUMENT_SERVICE
            return service
    return None


ENTITY_TYPES: dict[str, EntityType] = {
    entity_set.name: entity_set.entity_type
    for service in SERVICES
    for entity_set in service.entity_sets
}
"""Every entity set name of every service and its entity type."""
