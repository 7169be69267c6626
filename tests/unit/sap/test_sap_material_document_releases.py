"""Releases with and without ``DebitCreditCode``: what the metadata says, and item directions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_sandbox.odata.metadata import build_metadata
from erp_sandbox.sap.services import MATERIAL_DOCUMENT_SERVICE, find_service
from system_apis.sap.mapping.material_documents import declares_debit_credit, movements

pytestmark = pytest.mark.unit


def test_the_metadata_of_each_release_says_whether_items_have_the_code() -> None:
    older = find_service("API_MATERIAL_DOCUMENT_SRV", older_release=True)
    assert older is not None
    assert declares_debit_credit(build_metadata(MATERIAL_DOCUMENT_SERVICE)) is True
    assert declares_debit_credit(build_metadata(older)) is False


def test_metadata_without_the_item_type_or_not_xml_is_refused() -> None:
    with pytest.raises(ValueError, match="A_MaterialDocumentItemType"):
        declares_debit_credit('<edmx:Edmx xmlns:edmx="x"><Schema/></edmx:Edmx>')
    with pytest.raises(ValueError, match="not XML"):
        declares_debit_credit('{"d": {}}')


def _item(movement_type: str, quantity: str, **more: str) -> dict[str, str]:
    return {
        "Material": "TG11",
        "Plant": "1010",
        "StorageLocation": "0001",
        "GoodsMovementType": movement_type,
        "QuantityInBaseUnit": quantity,
        "MaterialBaseUnit": "PC",
        **more,
    }


@pytest.mark.parametrize(
    ("movement_type", "signed"),
    [
        ("101", Decimal(2)),
        ("501", Decimal(2)),
        ("561", Decimal(2)),
        ("201", Decimal(-2)),
        ("261", Decimal(-2)),
        ("551", Decimal(-2)),
        ("601", Decimal(-2)),
        ("102", Decimal(-2)),
        ("502", Decimal(-2)),
        ("202", Decimal(2)),
        ("262", Decimal(2)),
        ("602", Decimal(2)),
        ("311", None),
    ],
)
def test_without_the_code_the_movement_type_gives_the_direction(
    movement_type: str, signed: Decimal | None
) -> None:
    header = {"to_MaterialDocumentItem": {"results": [_item(movement_type, "2")]}}
    assert [m.quantity for m in movements(header)] == [signed]


def test_the_code_wins_over_the_movement_type_when_present() -> None:
    item = _item("501", "2", DebitCreditCode="H")
    assert [m.quantity for m in movements({"to_MaterialDocumentItem": [item]})] == [Decimal(-2)]
