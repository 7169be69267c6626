"""What an inbound event's data must look like, and which source may send which type."""

from __future__ import annotations

import pytest

from process_apis.connections import Connections
from process_apis.errors import InvalidInput
from process_apis.inbound.model import InboundSource, SourceKind
from process_apis.inbound.registry import InboundTypes
from process_apis.inventory_sync.flow import InventorySync
from process_apis.inventory_sync.schema import GoodsMovement
from process_apis.invoice_status.flow import InvoiceNotice, InvoiceStatusSync
from tests.fakes.memory_erp import MemoryErp

WMS = InboundSource("wms-main", SourceKind.WMS, "EU01")
ERP = InboundSource("erp-push", SourceKind.ERP)


@pytest.fixture
def types() -> InboundTypes:
    connections = Connections({"EU01": MemoryErp()})
    return InboundTypes([InventorySync(connections), InvoiceStatusSync(connections)])


def test_types_are_listed(types: InboundTypes) -> None:
    assert types.names == (
        "invoice.cancelled",
        "invoice.issued",
        "invoice.paid",
        "wms.goods_issued",
        "wms.goods_received",
    )
    assert types.accepted_from(WMS) == ("wms.goods_issued", "wms.goods_received")


def test_a_goods_movement_is_normalised(types: InboundTypes) -> None:
    data = {"sku": " TG11 ", "location": "1010/0001", "quantity": "5.000", "unit": "PC"}
    parsed = types.parse(WMS, "wms.goods_received", data)
    assert isinstance(parsed, GoodsMovement)
    assert parsed.model_dump(mode="json", exclude_none=True) == {
        "sku": "TG11",
        "location": "1010/0001",
        "quantity": "5",
        "unit": "PC",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"location": "L", "quantity": "1"}, "data.sku: Field required"),
        ({"sku": "A", "location": "L", "quantity": "0"}, "data.quantity: Input should be greater"),
        ({"sku": "A", "location": "L", "quantity": "-2"}, "data.quantity: Input should be greater"),
        ({"sku": "A", "location": "L", "quantity": "x"}, "data.quantity: Input should be a valid"),
        ({"sku": "A", "location": "L", "quantity": "NaN"}, "data.quantity: Input should be a fin"),
        ({"sku": "A", "location": "L", "quantity": True}, "data.quantity: Value error, must be"),
        ({"sku": "A", "location": "L", "quantity": 1, "x": 1}, "data.x: Extra inputs"),
        (
            {"sku": "A", "location": "L", "quantity": 1, "occurred_at": "2026-11-24T08:00:00"},
            "data.occurred_at: Input should have timezone info",
        ),
        (["not", "an", "object"], "data: must be a JSON object"),
    ],
)
def test_bad_goods_movements_say_what_is_wrong(
    types: InboundTypes, data: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        types.parse(WMS, "wms.goods_received", data)
    assert raised.value.message.startswith(message), raised.value.message


def test_an_unknown_type_names_the_known_ones(types: InboundTypes) -> None:
    with pytest.raises(InvalidInput, match=r"unknown event type 'wms\.lost'; known: invoice"):
        types.parse(WMS, "wms.lost", {})


def test_a_source_sends_only_the_types_of_its_kind(types: InboundTypes) -> None:
    with pytest.raises(InvalidInput, match="not accepted from a wms source; accepted: wms"):
        types.parse(WMS, "invoice.paid", {"invoice": "90000001"})
    with pytest.raises(InvalidInput, match="not accepted from a erp source"):
        types.parse(ERP, "wms.goods_received", {"sku": "A", "location": "L", "quantity": 1})


def test_an_invoice_notice_may_name_its_connection(types: InboundTypes) -> None:
    parsed = types.parse(ERP, "invoice.paid", {"invoice": "90000001", "connection": "EU01"})
    assert parsed == InvoiceNotice(invoice="90000001", connection="EU01")
    with pytest.raises(InvalidInput, match=r"data\.invoice: String should have at least 1"):
        types.parse(ERP, "invoice.paid", {"invoice": ""})
