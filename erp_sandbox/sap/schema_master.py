"""Entity types of SAP master data: business partners, products and material stock.

Only the properties listed in ``docs/sap.md`` are defined; names, EDM types, lengths and
precisions follow SAP's published metadata of ``API_BUSINESS_PARTNER``, ``API_PRODUCT_SRV``
and ``API_MATERIAL_STOCK_SRV``. The tax classifications of products (``A_ProductSalesTax``) and
customers (``A_CustomerSalesAreaTax``) are what output tax determination reads (see
:mod:`erp_sandbox.sap.taxes`).
"""

from __future__ import annotations

from erp_sandbox.odata.edm import (
    EntityType,
    NavigationProperty,
    boolean,
    date,
    decimal,
    key_string,
    string,
)

BUSINESS_PARTNER = EntityType(
    name="A_BusinessPartnerType",
    label="Business Partner",
    keys=("BusinessPartner",),
    properties=(
        key_string("BusinessPartner", 10, alpha=True, label="Business Partner"),
        string("Customer", 10, alpha=True, label="Customer", updatable=False),
        string("BusinessPartnerCategory", 1, label="BP Category"),
        string("BusinessPartnerFullName", 81, display_format=None, label="Name"),
        boolean("BusinessPartnerIsBlocked", label="Central Block"),
        date("CreationDate", label="Created On", creatable=False, updatable=False),
        date("LastChangeDate", label="Changed On", creatable=False, updatable=False),
    ),
    navigations=(
        NavigationProperty(
            "to_BusinessPartnerAddress",
            "A_BusinessPartnerAddress",
            many=True,
            join=(("BusinessPartner", "BusinessPartner"),),
        ),
    ),
)

BUSINESS_PARTNER_ADDRESS = EntityType(
    name="A_BusinessPartnerAddressType",
    label="BP Address",
    keys=("BusinessPartner", "AddressID"),
    properties=(
        key_string("BusinessPartner", 10, alpha=True, label="Business Partner"),
        key_string("AddressID", 10, alpha=True, label="Address Number"),
        string("CityName", 40, display_format=None, label="City"),
        string("PostalCode", 10, label="Postal Code"),
        string("StreetName", 60, display_format=None, label="Street"),
        string("HouseNumber", 10, display_format=None, label="House Number"),
        string("Country", 3, label="Country/Region Key"),
        string("Region", 3, label="Region"),
    ),
)

PRODUCT = EntityType(
    name="A_ProductType",
    label="Product",
    keys=("Product",),
    properties=(
        key_string("Product", 40, label="Product"),
        string("ProductType", 4, label="Product Type"),
        string("ProductGroup", 9, label="Product Group"),
        string("BaseUnit", 3, display_format=None, semantics="unit-of-measure", label="Base Unit"),
        decimal("GrossWeight", 13, 3, unit="WeightUnit", label="Gross Weight"),
        string("WeightUnit", 3, display_format=None, semantics="unit-of-measure", label="Unit"),
        boolean("IsMarkedForDeletion", label="Deletion Flag"),
        date("CreationDate", label="Created On", creatable=False, updatable=False),
        date("LastChangeDate", label="Last Change", creatable=False, updatable=False),
    ),
    navigations=(
        NavigationProperty(
            "to_Description", "A_ProductDescription", True, (("Product", "Product"),)
        ),
        NavigationProperty("to_SalesTax", "A_ProductSalesTax", True, (("Product", "Product"),)),
    ),
)

PRODUCT_SALES_TAX = EntityType(
    name="A_ProductSalesTaxType",
    label="Product Sales Tax",
    keys=("Product", "Country", "TaxCategory", "TaxClassification"),
    properties=(
        key_string("Product", 40, label="Product"),
        key_string("Country", 3, label="Departure Country/Region"),
        key_string("TaxCategory", 4, label="Tax Category"),
        key_string("TaxClassification", 1, label="Tax Classification"),
    ),
)

CUSTOMER_SALES_AREA_TAX = EntityType(
    name="A_CustomerSalesAreaTaxType",
    label="Customer Sales Area Tax",
    keys=(
        "Customer",
        "SalesOrganization",
        "DistributionChannel",
        "Division",
        "DepartureCountry",
        "CustomerTaxCategory",
    ),
    properties=(
        key_string("Customer", 10, alpha=True, label="Customer"),
        key_string("SalesOrganization", 4, label="Sales Organization"),
        key_string("DistributionChannel", 2, label="Distribution Channel"),
        key_string("Division", 2, label="Division"),
        key_string("DepartureCountry", 3, label="Departure Country/Region"),
        key_string("CustomerTaxCategory", 4, label="Tax Category"),
        string("CustomerTaxClassification", 1, label="Tax Classification"),
    ),
)

PRODUCT_DESCRIPTION = EntityType(
    name="A_ProductDescriptionType",
    label="Product Description",
    keys=("Product", "Language"),
    properties=(
        key_string("Product", 40, label="Product"),
        key_string("Language", 2, label="Language Key"),
        string("ProductDescription", 40, display_format=None, label="Product Description"),
    ),
)

STOCK_KEYS = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocument",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
)
"""The key of a stock row; all but material, plant, storage location and type are empty."""

MATERIAL_STOCK = EntityType(
    name="A_MatlStkInAcctModType",
    label="Material Stock",
    keys=STOCK_KEYS,
    properties=(
        key_string("Material", 40, label="Stock Material"),
        key_string("Plant", 4, label="Plant"),
        key_string("StorageLocation", 4, label="Storage Location"),
        key_string("Batch", 10, label="Batch SID"),
        key_string("Supplier", 10, alpha=True, label="Supplier SID"),
        key_string("Customer", 10, alpha=True, label="Customer SID"),
        key_string("WBSElementInternalID", 8, display_format="NonNegative", label="WBS Element"),
        key_string("SDDocument", 10, alpha=True, label="Sales order"),
        key_string("SDDocumentItem", 6, display_format="NonNegative", label="Sales order item"),
        key_string("InventorySpecialStockType", 1, label="Special Stock Type"),
        key_string("InventoryStockType", 2, label="Stock Type"),
        string("MaterialBaseUnit", 3, display_format=None, semantics="unit-of-measure"),
        decimal("MatlWrhsStkQtyInMatlBaseUnit", 31, 14, unit="MaterialBaseUnit"),
    ),
)
