"""Material documents and billing clearing: SAP payloads ⇄ canonical, pure functions only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sap_payloads import BILLING_DOCUMENT, clone

from system_apis.contracts.commands import StockAdjustment
from system_apis.contracts.models import InvoiceStatus, Source
from system_apis.sap.mapping.billing import invoice_from_sap
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.material_documents import (
    HEADER_TEXT_LENGTH,
    MovementTypes,
    document_time,
    header_text,
    material_document_body,
    movements,
    parse_time,
)
from system_apis.sap.odata import eq, ge, literal

pytestmark = pytest.mark.unit

SOURCE = Source(connection="s4", erp="sap")
TODAY = dt.date(2024, 3, 5)

# A material document as API_MATERIAL_DOCUMENT_SRV answers it (receipt 501, issue-side 601).
MATERIAL_DOCUMENT = {
    "__metadata": {
        "id": "https://s4/sap/opu/odata/sap/API_MATERIAL_DOCUMENT_SRV/"
        "A_MaterialDocumentHeader(MaterialDocumentYear='2024',MaterialDocument='4900000123')",
        "type": "API_MATERIAL_DOCUMENT_SRV.A_MaterialDocumentHeaderType",
    },
    "MaterialDocumentYear": "2024",
    "MaterialDocument": "4900000123",
    "CreationDate": "/Date(1709596800000)/",
    "CreationTime": "PT14H05M09S",
    "MaterialDocumentHeaderText": "wms-42",
    "to_MaterialDocumentItem": {
        "results": [
            {
                "Material": "TG11",
                "Plant": "1010",
                "StorageLocation": "0001",
                "MaterialBaseUnit": "PC",
                "QuantityInBaseUnit": "5",
                "EntryUnit": "PC",
                "QuantityInEntryUnit": "5",
                "DebitCreditCode": "S",
            },
            {
                "Material": "TG12",
                "Plant": "1710",
                "StorageLocation": "171A",
                "MaterialBaseUnit": "KG",
                "QuantityInBaseUnit": "2.5",
                "EntryUnit": "KG",
                "QuantityInEntryUnit": "2.5",
                "DebitCreditCode": "H",
            },
        ]
    },
}


def adjustment(
    quantity: str, reference: str = "wms-42", reason: str | None = None
) -> StockAdjustment:
    return StockAdjustment(
        sku="TG11",
        location="1010/0001",
        quantity=Decimal(quantity),
        reference=reference,
        reason=reason,
    )


def test_a_short_reference_is_the_header_text() -> None:
    assert header_text("wms-42") == "wms-42"
    assert header_text("x" * HEADER_TEXT_LENGTH) == "x" * HEADER_TEXT_LENGTH


def test_a_long_reference_is_hashed_deterministically_to_25_characters() -> None:
    long = "inventory-count/" + "7" * 40
    text = header_text(long)
    assert len(text) == HEADER_TEXT_LENGTH
    assert text.startswith(long[:12] + "~")
    assert header_text(" " * 30).startswith("~")
    assert header_text(long) == text
    assert header_text(long + "8") != text
    # SAP drops trailing blanks of a text field, so such a reference is hashed, not cut
    assert header_text("wms-42 ") != header_text("wms-42")
    assert len(header_text("wms-42 ")) == HEADER_TEXT_LENGTH


def test_a_receipt_is_movement_type_501_with_goods_movement_code_05() -> None:
    body = material_document_body(adjustment("5"), "1010", "0001", "PC", MovementTypes(), TODAY)
    assert body["GoodsMovementCode"] == "05"
    assert body["MaterialDocumentHeaderText"] == "wms-42"
    assert body["PostingDate"] == body["DocumentDate"] == "/Date(1709596800000)/"
    assert body["to_MaterialDocumentItem"] == {
        "results": [
            {
                "Material": "TG11",
                "Plant": "1010",
                "StorageLocation": "0001",
                "GoodsMovementType": "501",
                "QuantityInEntryUnit": "5",
                "EntryUnit": "PC",
            }
        ]
    }


def test_an_issue_is_551_with_code_03_its_reason_and_cost_center() -> None:
    types = MovementTypes(issue="201", cost_center="10101101")
    body = material_document_body(
        adjustment("-2.5", reason="broken in transit"), "1010", "0001", "PC", types, TODAY
    )
    assert body["GoodsMovementCode"] == "03"
    (item,) = body["to_MaterialDocumentItem"]["results"]
    assert item["GoodsMovementType"] == "201"
    assert item["QuantityInEntryUnit"] == "2.5"
    assert item["CostCenter"] == "10101101"
    assert item["MaterialDocumentItemText"] == "broken in transit"
    default = material_document_body(adjustment("-1"), "1010", "0001", "PC", MovementTypes(), TODAY)
    (item,) = default["to_MaterialDocumentItem"]["results"]
    assert item["GoodsMovementType"] == "551"
    assert "CostCenter" not in item


def test_movement_types_are_checked() -> None:
    with pytest.raises(ValueError, match="receipt"):
        MovementTypes(receipt="101")
    with pytest.raises(ValueError, match="issue"):
        MovementTypes(issue="601")


def test_entry_time_of_a_document_in_the_system_time_zone() -> None:
    assert document_time(MATERIAL_DOCUMENT, ZoneInfo("UTC")) == dt.datetime(
        2024, 3, 5, 14, 5, 9, tzinfo=dt.UTC
    )
    berlin = document_time(MATERIAL_DOCUMENT, ZoneInfo("Europe/Berlin"))
    assert berlin == dt.datetime(2024, 3, 5, 13, 5, 9, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="entry date"):
        document_time({**MATERIAL_DOCUMENT, "CreationDate": None}, ZoneInfo("UTC"))


def test_edm_time_values() -> None:
    assert parse_time("PT14H05M09S") == dt.time(14, 5, 9)
    assert parse_time("PT0H0M0S") == dt.time(0, 0)
    assert parse_time("PT23H59M59.123S") == dt.time(23, 59, 59)
    for bad in ("PT", "14:05:09", "PT25H", None):
        with pytest.raises(ValueError):  # noqa: PT011
            parse_time(bad)


def test_items_are_signed_by_debit_and_credit() -> None:
    moved = movements(MATERIAL_DOCUMENT)
    assert [(m.material, m.plant, m.storage_location, m.unit, m.quantity) for m in moved] == [
        ("TG11", "1010", "0001", "PC", Decimal(5)),
        ("TG12", "1710", "171A", "KG", Decimal("-2.5")),
    ]
    with pytest.raises(ValueError, match="expanded"):
        movements({"MaterialDocument": "4900000123"})


def test_a_cleared_billing_document_is_paid_and_carries_its_change_time() -> None:
    entity = clone(BILLING_DOCUMENT)
    entity["LastChangeDateTime"] = "/Date(1709647509123+0000)/"
    entity["InvoiceClearingStatus"] = "A"
    posted = invoice_from_sap(entity, SOURCE, SapDefaults())
    assert posted.status is InvoiceStatus.POSTED
    assert posted.changed_at == dt.datetime(2024, 3, 5, 14, 5, 9, 123000, tzinfo=dt.UTC)
    entity["InvoiceClearingStatus"] = "C"
    assert invoice_from_sap(entity, SOURCE, SapDefaults()).status is InvoiceStatus.PAID
    entity["BillingDocumentIsCancelled"] = True
    assert invoice_from_sap(entity, SOURCE, SapDefaults()).status is InvoiceStatus.CANCELLED


def test_change_time_literals_keep_microseconds() -> None:
    moment = dt.datetime(2024, 3, 5, 14, 5, 9, 123456, tzinfo=dt.UTC)
    assert literal(moment) == "datetimeoffset'2024-03-05T14:05:09.123456Z'"
    assert literal(moment.replace(microsecond=250000)) == "datetimeoffset'2024-03-05T14:05:09.250Z'"
    assert str(ge("LastChangeDateTime", moment.replace(microsecond=0))) == (
        "LastChangeDateTime ge datetimeoffset'2024-03-05T14:05:09Z'"
    )
    assert literal(dt.time(14, 5, 9)) == "time'PT14H05M09S'"
    assert str(eq("MaterialDocumentHeaderText", "it's")) == "MaterialDocumentHeaderText eq 'it''s'"
