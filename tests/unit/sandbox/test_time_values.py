"""Edm.Time in the sandbox's OData engine: JSON form, parsing, storage and $metadata."""

from __future__ import annotations

from datetime import time

import pytest

from erp_sandbox.odata.edm import EdmType, time_of_day
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.odata.filter import parse_filter
from erp_sandbox.odata.metadata import build_metadata
from erp_sandbox.odata.values import from_json, json_time, parse_json_time, to_json
from erp_sandbox.sap.services import MATERIAL_DOCUMENT_SERVICE
from erp_sandbox.sap.store import decode, encode

pytestmark = pytest.mark.unit

ENTRY = time_of_day("CreationTime")


def test_times_travel_as_durations_since_midnight() -> None:
    assert ENTRY.type is EdmType.TIME
    assert json_time(time(14, 5, 9)) == "PT14H05M09S"
    assert to_json(ENTRY, time(0, 0)) == "PT00H00M00S"
    assert from_json(ENTRY, "PT14H05M09S") == time(14, 5, 9)
    assert parse_json_time("PT7H") == time(7, 0)
    assert from_json(ENTRY, None) is None


@pytest.mark.parametrize("bad", ["PT", "14:05:09", "PT24H", "PT14H60M", 1405])
def test_a_malformed_time_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match=r"CreationTime|Edm\.Time"):
        from_json(ENTRY, bad)


def test_times_survive_the_store() -> None:
    assert decode(encode({"CreationTime": time(23, 59, 58)})) == {"CreationTime": time(23, 59, 58)}


def test_metadata_declares_edm_time() -> None:
    xml = build_metadata(MATERIAL_DOCUMENT_SERVICE)
    assert '<Property Name="CreationTime" Type="Edm.Time" Precision="0"' in xml
    assert 'Name="MaterialDocumentHeaderText" Type="Edm.String" MaxLength="25"' in xml


def test_time_literals_filter_times_of_day() -> None:
    early, late = {"CreationTime": time(9, 0, 0)}, {"CreationTime": time(14, 5, 9)}
    header = MATERIAL_DOCUMENT_SERVICE.entity_sets[0].entity_type
    condition = parse_filter("CreationTime ge time'PT14H05M09S'", header)
    assert [condition.matches(row) for row in (early, late)] == [False, True]
    with pytest.raises(ODataError):
        parse_filter("CreationTime ge time'14:05'", header)
    with pytest.raises(ODataError):
        parse_filter("CreationTime ge 'PT14H05M09S'", header)
