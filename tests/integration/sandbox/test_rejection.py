"""Rejecting sales order items: the reason is stored, the order is closed, deliveries block it."""

from __future__ import annotations

import httpx

from tests.integration.sandbox.support import DELIVERY, SO, order_body, sap_error


async def _order(writer: httpx.AsyncClient, **items: str) -> str:
    response = await writer.post(f"{SO}/A_SalesOrder", json=order_body(**items))
    assert response.status_code == 201, response.text
    return str(response.json()["d"]["SalesOrder"])


def _item(order: str, item: str) -> str:
    return f"{SO}/A_SalesOrderItem(SalesOrder='{order}',SalesOrderItem='{item}')"


async def _header(writer: httpx.AsyncClient, order: str) -> dict[str, object]:
    response = await writer.get(f"{SO}/A_SalesOrder('{order}')", params={"$expand": "to_Item"})
    header: dict[str, object] = response.json()["d"]
    return header


async def test_rejecting_every_item_closes_the_order_and_keeps_the_reason(
    writer: httpx.AsyncClient,
) -> None:
    order = await _order(writer, TG11="2", TG12="1")
    before = await _header(writer, order)
    assert before["OverallSDDocumentRejectionSts"] == "A"

    first = await writer.patch(_item(order, "10"), json={"SalesDocumentRjcnReason": "50"})
    assert first.status_code == 204, first.text
    partly = await _header(writer, order)
    assert partly["OverallSDDocumentRejectionSts"] == "B"
    assert partly["__metadata"]["etag"] != before["__metadata"]["etag"]  # type: ignore[index]

    second = await writer.request(
        "MERGE", _item(order, "20"), json={"SalesDocumentRjcnReason": "50"}
    )
    assert second.status_code == 204, second.text
    after = await _header(writer, order)
    assert (after["OverallSDDocumentRejectionSts"], after["OverallSDProcessStatus"]) == ("C", "C")
    items = after["to_Item"]["results"]  # type: ignore[index]
    assert [(i["SalesDocumentRjcnReason"], i["SDProcessStatus"]) for i in items] == [
        ("50", "C"),
        ("50", "C"),
    ]
    # No further delivery of a rejected item.
    refused = await writer.post(
        f"{DELIVERY}/A_OutbDeliveryHeader",
        json={
            "to_DeliveryDocumentItem": {
                "results": [{"ReferenceSDDocument": order, "ReferenceSDDocumentItem": "10"}]
            }
        },
    )
    assert refused.status_code == 400
    sap_error(refused)


async def test_an_item_in_a_delivery_is_not_rejected_and_nothing_changes(
    writer: httpx.AsyncClient,
) -> None:
    order = await _order(writer, TG11="1")
    delivered = await writer.post(
        f"{DELIVERY}/A_OutbDeliveryHeader",
        json={
            "to_DeliveryDocumentItem": {
                "results": [{"ReferenceSDDocument": order, "ReferenceSDDocumentItem": "10"}]
            }
        },
    )
    assert delivered.status_code == 201, delivered.text
    before = await _header(writer, order)

    refused = await writer.patch(_item(order, "10"), json={"SalesDocumentRjcnReason": "50"})

    assert refused.status_code == 400
    assert "delivery" in str(sap_error(refused)["message"])
    assert await _header(writer, order) == before


async def test_unknown_reasons_and_other_fields_are_refused(writer: httpx.AsyncClient) -> None:
    order = await _order(writer, TG11="1")
    before = await _header(writer, order)
    unknown = await writer.patch(_item(order, "10"), json={"SalesDocumentRjcnReason": "Q9"})
    assert unknown.status_code == 400
    sap_error(unknown)
    other = await writer.patch(_item(order, "10"), json={"RequestedQuantity": "5"})
    assert other.status_code == 400
    missing = await writer.patch(_item(order, "90"), json={"SalesDocumentRjcnReason": "50"})
    assert missing.status_code == 404
    assert await _header(writer, order) == before
