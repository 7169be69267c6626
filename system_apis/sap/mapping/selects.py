"""The ``$select`` lists of the entities the mapping reads.

Each list names exactly the properties the mapping modules read (real SAP entities carry dozens
more), navigation properties as ``<navigation>/<property>``. ETag source properties are included
so SAP can compute the ETag.
"""

from __future__ import annotations


def _with_navigation(
    header: tuple[str, ...], navigation: str, item: tuple[str, ...]
) -> tuple[str, ...]:
    return header + tuple(f"{navigation}/{name}" for name in item)


ADDRESS_SELECT = (
    "BusinessPartner",
    "AddressID",
    "StreetName",
    "HouseNumber",
    "PostalCode",
    "CityName",
    "Region",
    "Country",
)
CUSTOMER_SELECT = _with_navigation(
    (
        "BusinessPartner",
        "Customer",
        "BusinessPartnerCategory",
        "BusinessPartnerFullName",
        "BusinessPartnerIsBlocked",
        "CreationDate",
        "LastChangeDate",
    ),
    "to_BusinessPartnerAddress",
    ADDRESS_SELECT,
)
PRODUCT_SELECT = _with_navigation(
    (
        "Product",
        "ProductType",
        "ProductGroup",
        "BaseUnit",
        "GrossWeight",
        "WeightUnit",
        "IsMarkedForDeletion",
    ),
    "to_Description",
    ("Product", "Language", "ProductDescription"),
)
STOCK_SELECT = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "InventoryStockType",
    "MaterialBaseUnit",
    "MatlWrhsStkQtyInMatlBaseUnit",
)
SALES_ORDER_SELECT = _with_navigation(
    (
        "SalesOrder",
        "SoldToParty",
        "PurchaseOrderByCustomer",
        "SalesOrderDate",
        "CreationDate",
        "LastChangeDateTime",
        "TotalNetAmount",
        "TransactionCurrency",
        "OverallTotalDeliveryStatus",
        "OverallOrdReltdBillgStatus",
        "OverallSDDocumentRejectionSts",
    ),
    "to_Item",
    (
        "SalesOrder",
        "SalesOrderItem",
        "Material",
        "SalesOrderItemText",
        "RequestedQuantity",
        "RequestedQuantityUnit",
        "NetAmount",
        "TaxAmount",
        "TransactionCurrency",
        "ProductionPlant",
        "StorageLocation",
        "DeliveryStatus",
        "SalesDocumentRjcnReason",
    ),
)
DELIVERY_SELECT = _with_navigation(
    (
        "DeliveryDocument",
        "SoldToParty",
        "ShipToParty",
        "CreationDate",
        "ActualGoodsMovementDate",
        "DeliveryVersion",
        "OverallPickingStatus",
        "OverallGoodsMovementStatus",
        "LastChangeDate",
    ),
    "to_DeliveryDocumentItem",
    (
        "DeliveryDocument",
        "DeliveryDocumentItem",
        "Material",
        "ActualDeliveryQuantity",
        "DeliveryQuantityUnit",
        "Plant",
        "StorageLocation",
        "ReferenceSDDocument",
        "ReferenceSDDocumentItem",
    ),
)
BILLING_DOCUMENT_SELECT = _with_navigation(
    (
        "BillingDocument",
        "BillingDocumentDate",
        "CreationDate",
        "SoldToParty",
        "TotalNetAmount",
        "TaxAmount",
        "TotalGrossAmount",
        "TransactionCurrency",
        "LastChangeDateTime",
        "AccountingPostingStatus",
        "InvoiceClearingStatus",
        "BillingDocumentIsCancelled",
    ),
    "to_Item",
    (
        "BillingDocument",
        "BillingDocumentItem",
        "Material",
        "BillingQuantity",
        "BillingQuantityUnit",
        "NetAmount",
        "TaxAmount",
        "TransactionCurrency",
        "ReferenceSDDocument",
        "SalesDocument",
    ),
)
