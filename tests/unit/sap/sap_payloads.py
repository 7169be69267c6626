"""SAP OData v2 JSON payloads shaped like real S/4HANA answers, for the SAP unit tests."""

from __future__ import annotations

import copy
from typing import Any

ROOT = "https://s4.example.com/sap/opu/odata/sap"


def meta(service: str, entity_set: str, key: str, type_name: str, etag: str | None = None):
    uri = f"{ROOT}/{service}/{entity_set}({key})"
    data: dict[str, Any] = {"id": uri, "uri": uri, "type": f"{service}.{type_name}"}
    if etag:
        data["etag"] = etag
    return data


BP_ADDRESS = {
    "__metadata": meta(
        "API_BUSINESS_PARTNER",
        "A_BusinessPartnerAddress",
        "BusinessPartner='17100001',AddressID='22735'",
        "A_BusinessPartnerAddressType",
    ),
    "BusinessPartner": "17100001",
    "AddressID": "22735",
    "CityName": "Berlin",
    "PostalCode": "10117",
    "StreetName": "Unter den Linden",
    "HouseNumber": "5",
    "Country": "DE",
    "Region": "BE",
    "to_EmailAddress": {"__deferred": {"uri": f"{ROOT}/x/to_EmailAddress"}},
}

BUSINESS_PARTNER = {
    "__metadata": meta(
        "API_BUSINESS_PARTNER", "A_BusinessPartner", "'17100001'", "A_BusinessPartnerType"
    ),
    "BusinessPartner": "17100001",
    "Customer": "17100001",
    "Supplier": "",
    "BusinessPartnerCategory": "2",
    "BusinessPartnerFullName": "Domestic Customer O'Neill GmbH",
    "BusinessPartnerIsBlocked": False,
    "CreationDate": "/Date(1480550400000)/",
    "LastChangeDate": "/Date(1704067200000)/",
    "to_BusinessPartnerAddress": {"results": [BP_ADDRESS]},
    "to_BusinessPartnerRole": {"__deferred": {"uri": f"{ROOT}/x/to_BusinessPartnerRole"}},
}

PRODUCT = {
    "__metadata": meta("API_PRODUCT_SRV", "A_Product", "'TG11'", "A_ProductType"),
    "Product": "TG11",
    "ProductType": "HAWA",
    "ProductGroup": "L001",
    "BaseUnit": "PC",
    "GrossWeight": "1.250",
    "WeightUnit": "KG",
    "IsMarkedForDeletion": False,
    "CreationDate": "/Date(1480550400000)/",
    "LastChangeDate": None,
    "to_Description": {
        "results": [
            {
                "__metadata": meta(
                    "API_PRODUCT_SRV",
                    "A_ProductDescription",
                    "Product='TG11',Language='DE'",
                    "A_ProductDescriptionType",
                ),
                "Product": "TG11",
                "Language": "DE",
                "ProductDescription": "Handelsware 11",
            },
            {
                "__metadata": meta(
                    "API_PRODUCT_SRV",
                    "A_ProductDescription",
                    "Product='TG11',Language='EN'",
                    "A_ProductDescriptionType",
                ),
                "Product": "TG11",
                "Language": "EN",
                "ProductDescription": "Trading Good 11",
            },
        ]
    },
}


def stock_row(
    material: str,
    plant: str,
    sloc: str,
    quantity: str,
    *,
    batch: str = "",
    stock_type: str = "01",
    unit: str = "PC",
) -> dict[str, Any]:
    key = (
        f"Material='{material}',Plant='{plant}',StorageLocation='{sloc}',Batch='{batch}',"
        "Supplier='',Customer='',WBSElementInternalID='00000000',SDDocument='',"
        f"SDDocumentItem='000000',InventorySpecialStockType='',InventoryStockType='{stock_type}'"
    )
    return {
        "__metadata": meta(
            "API_MATERIAL_STOCK_SRV", "A_MatlStkInAcctMod", key, "A_MatlStkInAcctModType"
        ),
        "Material": material,
        "Plant": plant,
        "StorageLocation": sloc,
        "Batch": batch,
        "Supplier": "",
        "Customer": "",
        "WBSElementInternalID": "00000000",
        "SDDocument": "",
        "SDDocumentItem": "000000",
        "InventorySpecialStockType": "",
        "InventoryStockType": stock_type,
        "MaterialBaseUnit": unit,
        "MatlWrhsStkQtyInMatlBaseUnit": quantity,
    }


SALES_ORDER_ETAG = "W/\"datetimeoffset'2024-03-05T10%3A15%3A30.1234560Z'\""


def order_item(number: str, material: str, quantity: str, net: str, tax: str, *, status: str = "A"):
    return {
        "__metadata": meta(
            "API_SALES_ORDER_SRV",
            "A_SalesOrderItem",
            f"SalesOrder='4711',SalesOrderItem='{number}'",
            "A_SalesOrderItemType",
        ),
        "SalesOrder": "4711",
        "SalesOrderItem": number,
        "Material": material,
        "SalesOrderItemText": f"Item {material}",
        "RequestedQuantity": quantity,
        "RequestedQuantityUnit": "PC",
        "NetAmount": net,
        "TaxAmount": tax,
        "ProductTaxClassification1": "1" if tax != "0.00" else "0",
        "TransactionCurrency": "EUR",
        "ProductionPlant": "1010",
        "StorageLocation": "0001",
        "SDProcessStatus": status,
        "DeliveryStatus": status,
    }


SALES_ORDER = {
    "__metadata": meta(
        "API_SALES_ORDER_SRV", "A_SalesOrder", "'4711'", "A_SalesOrderType", SALES_ORDER_ETAG
    ),
    "SalesOrder": "4711",
    "SalesOrderType": "OR",
    "SalesOrganization": "1010",
    "DistributionChannel": "10",
    "OrganizationDivision": "00",
    "SoldToParty": "17100001",
    "PurchaseOrderByCustomer": "PO-2024-001",
    "SalesOrderDate": "/Date(1709596800000)/",
    "CreationDate": "/Date(1709596800000)/",
    "LastChangeDateTime": "/Date(1709633730123+0000)/",
    "TotalNetAmount": "150.00",
    "TransactionCurrency": "EUR",
    "OverallSDProcessStatus": "A",
    "OverallTotalDeliveryStatus": "A",
    "OverallOrdReltdBillgStatus": "",
    "RequestedDeliveryDate": "/Date(1710201600000)/",
    "to_Item": {
        "results": [
            order_item("20", "TG12", "1", "50.00", "9.50"),
            order_item("10", "TG11", "2", "100.00", "19.00"),
        ]
    },
    "to_Partner": {"__deferred": {"uri": f"{ROOT}/x/to_Partner"}},
}


def delivery_item(number: str, material: str, quantity: str, order_item_no: str):
    return {
        "__metadata": meta(
            "API_OUTBOUND_DELIVERY_SRV;v=0002",
            "A_OutbDeliveryItem",
            f"DeliveryDocument='80000001',DeliveryDocumentItem='{number}'",
            "A_OutbDeliveryItemType",
        ),
        "DeliveryDocument": "80000001",
        "DeliveryDocumentItem": number,
        "Material": material,
        "ActualDeliveryQuantity": quantity,
        "DeliveryQuantityUnit": "PC",
        "Plant": "1010",
        "StorageLocation": "0001",
        "ReferenceSDDocument": "4711",
        "ReferenceSDDocumentItem": order_item_no,
    }


DELIVERY_ETAG = "W/\"datetime'2024-03-06T00%3A00%3A00'\""

DELIVERY = {
    "__metadata": meta(
        "API_OUTBOUND_DELIVERY_SRV;v=0002",
        "A_OutbDeliveryHeader",
        "'80000001'",
        "A_OutbDeliveryHeaderType",
        DELIVERY_ETAG,
    ),
    "DeliveryDocument": "80000001",
    "DeliveryDocumentType": "LF",
    "ShippingPoint": "1010",
    "SoldToParty": "17100001",
    "ShipToParty": "17100001",
    "DeliveryDate": "/Date(1709683200000)/",
    "CreationDate": "/Date(1709683200000)/",
    "ActualGoodsMovementDate": None,
    "OverallGoodsMovementStatus": "A",
    "OverallSDProcessStatus": "A",
    "LastChangeDate": "/Date(1709683200000)/",
    "to_DeliveryDocumentItem": {
        "results": [
            delivery_item("10", "TG11", "2.000", "10"),
            delivery_item("20", "TG12", "1.000", "20"),
        ]
    },
}


def billing_item(number: str, material: str, quantity: str, net: str, tax: str):
    return {
        "__metadata": meta(
            "API_BILLING_DOCUMENT_SRV",
            "A_BillingDocumentItem",
            f"BillingDocument='90000001',BillingDocumentItem='{number}'",
            "A_BillingDocumentItemType",
        ),
        "BillingDocument": "90000001",
        "BillingDocumentItem": number,
        "Material": material,
        "BillingQuantity": quantity,
        "BillingQuantityUnit": "PC",
        "NetAmount": net,
        "TaxAmount": tax,
        "TransactionCurrency": "EUR",
        "ReferenceSDDocument": "80000001",
        "ReferenceSDDocumentItem": number,
        "SalesDocument": "4711",
        "SalesDocumentItem": number,
    }


BILLING_DOCUMENT = {
    "__metadata": meta(
        "API_BILLING_DOCUMENT_SRV", "A_BillingDocument", "'90000001'", "A_BillingDocumentType"
    ),
    "BillingDocument": "90000001",
    "BillingDocumentType": "F2",
    "SDDocumentCategory": "M",
    "BillingDocumentDate": "/Date(1709769600000)/",
    "CreationDate": "/Date(1709769600000)/",
    "SoldToParty": "17100001",
    "TotalNetAmount": "150.00",
    "TaxAmount": "28.50",
    "TotalGrossAmount": "178.50",
    "TransactionCurrency": "EUR",
    "OverallBillingStatus": "A",
    "AccountingPostingStatus": "C",
    "BillingDocumentIsCancelled": False,
    "CompanyCode": "1010",
    "PurchaseOrderByCustomer": "PO-2024-001",
    "to_Item": {
        "results": [
            billing_item("10", "TG11", "2.000", "100.00", "19.00"),
            billing_item("20", "TG12", "1.000", "50.00", "9.50"),
        ]
    },
}


def sap_error(code: str, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    """An SAP Gateway error body."""
    return {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "application": {
                    "component_id": "SD-SLS-API",
                    "service_namespace": "/SAP/",
                    "service_id": "API_SALES_ORDER_SRV",
                    "service_version": "0001",
                },
                "transactionid": "5C0E4B1F8E2A4D2CA1B95D57E1A4C0DE",
                "timestamp": "20240305101530.1234560",
                "Error_Resolution": {
                    "SAP_Transaction": "For backend administrators: use ADT feed reader",
                    "SAP_Note": "See SAP Note 1797736 for error analysis",
                },
                "errordetails": [
                    {
                        "code": detail_code,
                        "message": detail_message,
                        "propertyref": "",
                        "severity": "error",
                        "target": "",
                    }
                    for detail_code, detail_message in details
                ],
            },
        }
    }


def clone(payload: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(payload)
