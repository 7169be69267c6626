"""Entity types of SAP sales documents: sales orders, outbound deliveries, billing documents.

Only the properties listed in ``docs/sap.md`` are defined, with the EDM types, lengths and
precisions of SAP's ``API_SALES_ORDER_SRV``, ``API_OUTBOUND_DELIVERY_SRV;v=0002`` and
``API_BILLING_DOCUMENT_SRV``. The ETag of sales orders and billing documents comes from
``LastChangeDateTime``; the delivery's from ``DeliveryVersion``, counted up on every change.
"""

from __future__ import annotations

from erp_sandbox.odata.edm import (
    EntityType,
    NavigationProperty,
    Row,
    boolean,
    date,
    decimal,
    key_string,
    string,
    timestamp,
)
from erp_sandbox.odata.values import timestamp_etag

READ_ONLY = {"creatable": False, "updatable": False}


def _order_etag(row: Row) -> str:
    return timestamp_etag(row["LastChangeDateTime"])


def _delivery_etag(row: Row) -> str:
    return f"W/\"'{row['DeliveryVersion']}'\""


SALES_ORDER = EntityType(
    name="A_SalesOrderType",
    label="Sales Order Header",
    keys=("SalesOrder",),
    etag=_order_etag,
    properties=(
        key_string("SalesOrder", 10, alpha=True, label="Sales Order"),
        string("SalesOrderType", 4, label="Sales Order Type"),
        string("SalesOrganization", 4, label="Sales Organization"),
        string("DistributionChannel", 2, label="Distribution Channel"),
        string("OrganizationDivision", 2, label="Division"),
        string("SoldToParty", 10, alpha=True, label="Sold-to Party"),
        string("PurchaseOrderByCustomer", 35, display_format=None, label="Customer Reference"),
        date("SalesOrderDate", label="Document Date"),
        date("CreationDate", label="Created On", **READ_ONLY),
        timestamp("LastChangeDateTime", concurrency=True, label="Time Stamp", **READ_ONLY),
        decimal(
            "TotalNetAmount", 16, 3, unit="TransactionCurrency", label="Net Value", **READ_ONLY
        ),
        string("TransactionCurrency", 5, semantics="currency-code", label="Document Currency"),
        string(
            "CustomerTaxClassification1",
            1,
            label="Alternative Tax Classification",
            **READ_ONLY,
        ),
        string("TaxDepartureCountry", 3, label="Tax Departure Country/Region", **READ_ONLY),
        string("OverallSDProcessStatus", 1, label="Overall Status", **READ_ONLY),
        string("OverallTotalDeliveryStatus", 1, label="Ovrl Delivery Status", **READ_ONLY),
        string("OverallOrdReltdBillgStatus", 1, label="Order-Related Billing Status", **READ_ONLY),
        string("OverallSDDocumentRejectionSts", 1, label="Rejection Status", **READ_ONLY),
        date("RequestedDeliveryDate", label="Requested Delivery Date"),
    ),
    navigations=(
        NavigationProperty("to_Item", "A_SalesOrderItem", True, (("SalesOrder", "SalesOrder"),)),
    ),
)

SALES_ORDER_ITEM = EntityType(
    name="A_SalesOrderItemType",
    label="Sales Order Item",
    keys=("SalesOrder", "SalesOrderItem"),
    properties=(
        key_string("SalesOrder", 10, alpha=True, label="Sales Order", **READ_ONLY),
        key_string("SalesOrderItem", 6, alpha=True, display_format="NonNegative", label="Item"),
        string("Material", 40, label="Material"),
        string("SalesOrderItemText", 40, display_format=None, label="Item Description"),
        decimal(
            "RequestedQuantity", 15, 3, unit="RequestedQuantityUnit", label="Requested Quantity"
        ),
        string(
            "RequestedQuantityUnit",
            3,
            display_format=None,
            semantics="unit-of-measure",
            label="Requested Qty Unit",
        ),
        decimal("NetAmount", 16, 3, unit="TransactionCurrency", label="Net Value", **READ_ONLY),
        string("TransactionCurrency", 5, semantics="currency-code", label="Document Currency"),
        decimal("TaxAmount", 14, 3, unit="TransactionCurrency", label="Tax Amount", **READ_ONLY),
        string("ProductTaxClassification1", 1, label="Tax Classification 1", **READ_ONLY),
        string("ProductionPlant", 4, label="Plant"),
        string("StorageLocation", 4, label="Storage Location"),
        string("SalesDocumentRjcnReason", 2, label="Reason for Rejection"),
        string("SDProcessStatus", 1, label="Overall Status", **READ_ONLY),
        string("DeliveryStatus", 1, label="Delivery Status", **READ_ONLY),
    ),
    navigations=(
        NavigationProperty("to_SalesOrder", "A_SalesOrder", False, (("SalesOrder", "SalesOrder"),)),
    ),
)

DELIVERY = EntityType(
    name="A_OutbDeliveryHeaderType",
    label="Outbound Delivery Header",
    keys=("DeliveryDocument",),
    etag=_delivery_etag,
    properties=(
        key_string("DeliveryDocument", 10, alpha=True, label="Delivery", **READ_ONLY),
        string("DeliveryDocumentType", 4, label="Delivery Type"),
        string("ShippingPoint", 4, label="Shipping Point"),
        string("SoldToParty", 10, alpha=True, label="Sold-To Party", **READ_ONLY),
        string("ShipToParty", 10, alpha=True, label="Ship-To Party", **READ_ONLY),
        date("DeliveryDate", label="Delivery Date"),
        date("CreationDate", label="Created On", **READ_ONLY),
        date("ActualGoodsMovementDate", label="Act. Gds Mvmnt Date", **READ_ONLY),
        string("DeliveryVersion", 4, concurrency=True, label="Version", **READ_ONLY),
        string("OverallPickingStatus", 1, label="Picking Status", **READ_ONLY),
        string("OverallGoodsMovementStatus", 1, label="Goods Movement Sts", **READ_ONLY),
        string("OverallSDProcessStatus", 1, label="Overall Status", **READ_ONLY),
        date("LastChangeDate", label="Changed On", **READ_ONLY),
    ),
    navigations=(
        NavigationProperty(
            "to_DeliveryDocumentItem",
            "A_OutbDeliveryItem",
            True,
            (("DeliveryDocument", "DeliveryDocument"),),
        ),
    ),
)

DELIVERY_ITEM = EntityType(
    name="A_OutbDeliveryItemType",
    label="Outbound Delivery Item",
    keys=("DeliveryDocument", "DeliveryDocumentItem"),
    properties=(
        key_string("DeliveryDocument", 10, alpha=True, label="Delivery", **READ_ONLY),
        key_string(
            "DeliveryDocumentItem", 6, alpha=True, display_format="NonNegative", **READ_ONLY
        ),
        string("Material", 40, label="Material", **READ_ONLY),
        decimal("ActualDeliveryQuantity", 13, 3, unit="DeliveryQuantityUnit", label="Delivery Qty"),
        string("DeliveryQuantityUnit", 3, display_format=None, semantics="unit-of-measure"),
        string("Plant", 4, label="Plant"),
        string("StorageLocation", 4, label="Storage Location"),
        string("ReferenceSDDocument", 10, alpha=True, label="Reference Document"),
        string(
            "ReferenceSDDocumentItem",
            6,
            alpha=True,
            display_format="NonNegative",
            label="Ref. Item",
        ),
    ),
)

BILLING_DOCUMENT = EntityType(
    name="A_BillingDocumentType",
    label="Billing Document Header",
    keys=("BillingDocument",),
    etag=_order_etag,
    properties=(
        key_string("BillingDocument", 10, alpha=True, label="Billing Document"),
        string("BillingDocumentType", 4, label="Billing Type"),
        string("SDDocumentCategory", 4, display_format=None, label="SD Document Category"),
        date("BillingDocumentDate", label="Billing Date"),
        date("CreationDate", label="Created On"),
        string("SoldToParty", 10, alpha=True, label="Sold-To Party"),
        decimal("TotalNetAmount", 16, 3, unit="TransactionCurrency", label="Net Value"),
        decimal("TaxAmount", 14, 3, unit="TransactionCurrency", label="Tax Amount"),
        decimal("TotalGrossAmount", 17, 3, unit="TransactionCurrency"),
        string("TransactionCurrency", 5, semantics="currency-code", label="Document Currency"),
        timestamp("LastChangeDateTime", concurrency=True, label="Time Stamp"),
        string("OverallBillingStatus", 1, label="Status"),
        string("AccountingPostingStatus", 1, label="Posting Status"),
        string("InvoiceClearingStatus", 1, label="Clearing Status"),
        boolean("BillingDocumentIsCancelled", label="Cancelled"),
        string("CompanyCode", 4, label="Company Code"),
        string("PurchaseOrderByCustomer", 35, display_format=None, label="Customer Reference"),
    ),
    navigations=(
        NavigationProperty(
            "to_Item", "A_BillingDocumentItem", True, (("BillingDocument", "BillingDocument"),)
        ),
    ),
)

BILLING_DOCUMENT_ITEM = EntityType(
    name="A_BillingDocumentItemType",
    label="Billing Document Item",
    keys=("BillingDocument", "BillingDocumentItem"),
    properties=(
        key_string("BillingDocument", 10, alpha=True, label="Billing Document"),
        key_string(
            "BillingDocumentItem", 6, alpha=True, display_format="NonNegative", label="Item"
        ),
        string("Material", 40, label="Material"),
        decimal("BillingQuantity", 13, 3, unit="BillingQuantityUnit", label="Invoiced Quantity"),
        string("BillingQuantityUnit", 3, display_format=None, semantics="unit-of-measure"),
        decimal("NetAmount", 16, 3, unit="TransactionCurrency", label="Net Value"),
        decimal("TaxAmount", 14, 3, unit="TransactionCurrency", label="Tax Amount"),
        string("TransactionCurrency", 5, semantics="currency-code", label="Document Currency"),
        string("ReferenceSDDocument", 10, alpha=True, label="Reference Document"),
        string(
            "ReferenceSDDocumentItem",
            6,
            alpha=True,
            display_format="NonNegative",
            label="Ref. Item",
        ),
        string("SalesDocument", 10, alpha=True, label="Sales Document"),
        string(
            "SalesDocumentItem",
            6,
            alpha=True,
            display_format="NonNegative",
            label="Sales Doc. Item",
        ),
    ),
    navigations=(
        NavigationProperty(
            "to_BillingDocument",
            "A_BillingDocument",
            False,
            (("BillingDocument", "BillingDocument"),),
        ),
    ),
)
