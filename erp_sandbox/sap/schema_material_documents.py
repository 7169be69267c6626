"""Entity types of ``API_MATERIAL_DOCUMENT_SRV``: material document headers and items.

Only the properties listed in ``docs/sap.md`` are defined, with the names, EDM types and lengths
of SAP's published service. A material document is keyed by year and number; it is created by
a deep insert of the header with its items and never changed afterwards (SAP cancels a material
document with a reversal document instead), so it has no ETag.
"""

from __future__ import annotations

from dataclasses import replace

from erp_sandbox.odata.edm import (
    EntityType,
    NavigationProperty,
    boolean,
    date,
    decimal,
    key_string,
    string,
    time_of_day,
)

READ_ONLY = {"creatable": False, "updatable": False}

_DOCUMENT_JOIN = (
    ("MaterialDocumentYear", "MaterialDocumentYear"),
    ("MaterialDocument", "MaterialDocument"),
)

MATERIAL_DOCUMENT_HEADER = EntityType(
    name="A_MaterialDocumentHeaderType",
    label="Document Header",
    keys=("MaterialDocumentYear", "MaterialDocument"),
    properties=(
        key_string(
            "MaterialDocumentYear",
            4,
            display_format="NonNegative",
            label="Material Document Year",
            **READ_ONLY,
        ),
        key_string("MaterialDocument", 10, label="Material Document", **READ_ONLY),
        string("InventoryTransactionType", 2, label="Transaction/Event Type", **READ_ONLY),
        date("DocumentDate", label="Document Date"),
        date("PostingDate", label="Posting Date"),
        date("CreationDate", label="Entry Date", **READ_ONLY),
        time_of_day("CreationTime", label="Time of Entry", **READ_ONLY),
        string("CreatedByUser", 12, label="User Name", **READ_ONLY),
        string("MaterialDocumentHeaderText", 25, display_format=None, label="Document Header Text"),
        string("ReferenceDocument", 16, label="Reference"),
        string("GoodsMovementCode", 2, label="Goods Movement Code"),
    ),
    navigations=(
        NavigationProperty(
            "to_MaterialDocumentItem", "A_MaterialDocumentItem", True, _DOCUMENT_JOIN
        ),
    ),
)

MATERIAL_DOCUMENT_ITEM = EntityType(
    name="A_MaterialDocumentItemType",
    label="Document Items",
    keys=("MaterialDocumentYear", "MaterialDocument", "MaterialDocumentItem"),
    properties=(
        key_string(
            "MaterialDocumentYear",
            4,
            display_format="NonNegative",
            label="Material Document Year",
            **READ_ONLY,
        ),
        key_string("MaterialDocument", 10, label="Material Document", **READ_ONLY),
        key_string(
            "MaterialDocumentItem",
            4,
            display_format="NonNegative",
            label="Material Document Item",
            **READ_ONLY,
        ),
        string("Material", 40, label="Material"),
        string("Plant", 4, label="Plant"),
        string("StorageLocation", 4, label="Storage Location"),
        string("Batch", 10, label="Batch"),
        string("GoodsMovementType", 3, label="Movement Type"),
        string("InventoryStockType", 2, label="Stock Type"),
        string("InventorySpecialStockType", 1, label="Special Stock Type"),
        string(
            "GoodsMovementReasonCode", 4, display_format="NonNegative", label="Reason for Movement"
        ),
        string("CostCenter", 10, label="Cost Center"),
        string("Delivery", 10, label="Delivery"),
        string("DeliveryItem", 6, display_format="NonNegative", label="Delivery Item"),
        string(
            "MaterialBaseUnit",
            3,
            display_format=None,
            semantics="unit-of-measure",
            label="Base Unit of Measure",
            **READ_ONLY,
        ),
        decimal(
            "QuantityInBaseUnit", 13, 3, unit="MaterialBaseUnit", label="Quantity", **READ_ONLY
        ),
        string(
            "EntryUnit",
            3,
            display_format=None,
            semantics="unit-of-measure",
            label="Unit of Entry",
        ),
        decimal("QuantityInEntryUnit", 13, 3, unit="EntryUnit", label="Quantity in Entry Unit"),
        string("MaterialDocumentItemText", 50, display_format=None, label="Text"),
        boolean("GoodsMovementIsCancelled", label="Is Item Canceled", **READ_ONLY),
        string("DebitCreditCode", 1, label="Debit/Credit Indicator", **READ_ONLY),
    ),
    navigations=(
        NavigationProperty(
            "to_MaterialDocumentHeader", "A_MaterialDocumentHeader", False, _DOCUMENT_JOIN
        ),
    ),
)

OLDER_MATERIAL_DOCUMENT_ITEM = replace(
    MATERIAL_DOCUMENT_ITEM,
    properties=tuple(p for p in MATERIAL_DOCUMENT_ITEM.properties if p.name != "DebitCreditCode"),
)
"""The item of older releases, which do not have ``DebitCreditCode`` (see
:attr:`~erp_sandbox.sap.settings.SandboxSettings.older_release`)."""
