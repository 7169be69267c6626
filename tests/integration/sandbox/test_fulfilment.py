"""Order to cash on the sandbox: delivery, goods issue, billing, reset and persistence."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import httpx

from erp_sandbox.sap import Sandbox, SandboxSettings, create_app
from tests.integration.sandbox.support import (
    ANCHOR,
    BILLING,
    BILLING_V4,
    CREATE_ACTION,
    DELIVERY,
    SO,
    order_body,
    sap_error,
)


async def _order(writer: httpx.AsyncClient, **items: str) -> dict[str, object]:
    response = await writer.post(f"{SO}/A_SalesOrder", json=order_body(**items))
    assert response.status_code == 201, response.text
    order: dict[str, object] = response.json()["d"]
    return order


async def _deliver(writer: httpx.AsyncClient, order: str, *items: str) -> httpx.Response:
    references = [{"ReferenceSDDocument": order, "ReferenceSDDocumentItem": item} for item in items]
    return await writer.post(
        f"{DELIVERY}/A_OutbDeliveryHeader",
        json={"to_DeliveryDocumentItem": {"results": references}},
    )


async def _goods_issue(
    writer: httpx.AsyncClient, delivery: str, etag: str | None
) -> httpx.Response:
    headers = {"If-Match": etag} if etag else {}
    return await writer.post(
        f"{DELIVERY}/PostGoodsIssue", params={"DeliveryDocument": f"'{delivery}'"}, headers=headers
    )


async def _pick(writer: httpx.AsyncClient, delivery: str, etag: str) -> str:
    """Pick every item of ``delivery``; the delivery's new ETag."""
    picked = await writer.post(
        f"{DELIVERY}/PickAllItems",
        params={"DeliveryDocument": f"'{delivery}'"},
        headers={"If-Match": etag},
    )
    assert picked.status_code == 200, picked.text
    [report] = picked.json()["d"]["results"]  # a PickingReport message, not the delivery
    assert report["DeliveryDocument"] == delivery
    assert report["__metadata"]["type"].endswith(".PickingReport")
    assert "OverallPickingStatus" not in report
    header = await writer.get(f"{DELIVERY}/A_OutbDeliveryHeader('{delivery}')")
    assert header.json()["d"]["OverallPickingStatus"] == "C"
    new_etag: str = header.headers["etag"]
    return new_etag


async def _pick_and_issue(writer: httpx.AsyncClient, delivery: str, etag: str) -> httpx.Response:
    return await _goods_issue(writer, delivery, await _pick(writer, delivery, etag))


async def test_delivery_and_goods_issue_lower_stock_by_the_quantity(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    order = await _order(writer, FG11="3", TG13="2")
    items = order["to_Item"]["results"]  # type: ignore[index]
    plants = {item["Material"]: item["ProductionPlant"] for item in items}
    locations = {"1010": "0001", "1710": "171A"}
    before = {m: sandbox.stock(m, p, locations[p]) for m, p in plants.items()}

    created = await _deliver(writer, str(order["SalesOrder"]), "10", "20")
    assert created.status_code == 201, created.text
    delivery = created.json()["d"]
    number = delivery["DeliveryDocument"]
    assert number == "80000020"
    assert created.headers["location"].endswith(f"A_OutbDeliveryHeader('{number}')")
    assert delivery["DeliveryDocumentType"] == "LF"
    assert delivery["OverallGoodsMovementStatus"] == "A"
    assert delivery["ActualGoodsMovementDate"] is None
    assert delivery["SoldToParty"] == "10100001"
    lines = delivery["to_DeliveryDocumentItem"]["results"]
    assert [(line["Material"], line["ActualDeliveryQuantity"]) for line in lines] == [
        ("FG11", "3"),
        ("TG13", "2"),
    ]
    assert all(line["ReferenceSDDocument"] == order["SalesOrder"] for line in lines)
    assert {m: sandbox.stock(m, p, locations[p]) for m, p in plants.items()} == before
    in_delivery = (await writer.get(f"{SO}/A_SalesOrder('{order['SalesOrder']}')")).json()["d"]
    assert in_delivery["OverallTotalDeliveryStatus"] == "C"
    assert in_delivery["OverallSDProcessStatus"] == "B"

    missing = await _goods_issue(writer, number, None)
    assert missing.status_code == 428
    stale = await _goods_issue(
        writer, number, "W/\"datetimeoffset'2020-01-01T00%3A00%3A00.0000000Z'\""
    )
    assert stale.status_code == 412

    etag = (await writer.get(f"{DELIVERY}/A_OutbDeliveryHeader('{number}')")).headers["etag"]
    assert etag == f"W/\"'{delivery['DeliveryVersion']}'\""
    assert delivery["OverallPickingStatus"] == "A"
    unpicked = await _goods_issue(writer, number, etag)
    assert unpicked.status_code == 400
    assert sap_error(unpicked)["code"] == "VL/609"
    picked = await _pick(writer, number, etag)
    assert picked != etag
    assert (await _goods_issue(writer, number, etag)).status_code == 412

    posted = await _goods_issue(writer, number, picked)
    assert posted.status_code == 200, posted.text
    [report] = posted.json()["d"]["results"]
    assert report["SystemMessageType"] == "S"
    read = await writer.get(f"{DELIVERY}/A_OutbDeliveryHeader('{number}')")
    header = read.json()["d"]
    assert header["OverallGoodsMovementStatus"] == "C"
    assert header["ActualGoodsMovementDate"] is not None
    assert read.headers["etag"] != picked
    assert sandbox.stock("FG11", plants["FG11"], locations[plants["FG11"]]) == before["FG11"] - 3
    assert sandbox.stock("TG13", plants["TG13"], locations[plants["TG13"]]) == before["TG13"] - 2

    after = (await writer.get(f"{SO}/A_SalesOrder('{order['SalesOrder']}')")).json()["d"]
    assert after["OverallTotalDeliveryStatus"] == "C"
    assert after["OverallSDProcessStatus"] == "B"
    again = await _goods_issue(writer, number, read.headers["etag"])
    assert again.status_code == 400


async def test_goods_issue_with_insufficient_stock_changes_nothing(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    order = await _order(writer, TG35="5", TG11="1")
    plant = order["to_Item"]["results"][0]["ProductionPlant"]  # type: ignore[index]
    location = {"1010": "0001", "1710": "171A"}[plant]
    created = await _deliver(writer, str(order["SalesOrder"]), "10", "20")
    delivery = created.json()["d"]["DeliveryDocument"]
    before = (sandbox.stock("TG35", plant, location), sandbox.stock("TG11", "1010", "0001"))
    etag = await _pick(writer, delivery, created.headers["etag"])

    refused = await _goods_issue(writer, delivery, etag)
    assert refused.status_code == 400
    error = sap_error(refused)
    assert error["code"] == "M7/021"
    assert "Deficit" in error["message"]["value"]  # type: ignore[index]
    assert (sandbox.stock("TG35", plant, location), sandbox.stock("TG11", "1010", "0001")) == before
    unchanged = (await writer.get(f"{DELIVERY}/A_OutbDeliveryHeader('{delivery}')")).json()["d"]
    assert unchanged["OverallGoodsMovementStatus"] == "A"
    assert unchanged["__metadata"]["etag"] == etag


async def _bill(writer: httpx.AsyncClient, *documents: str) -> httpx.Response:
    body = {"_Control": {}, "_Reference": [{"SDDocument": number} for number in documents]}
    return await writer.post(f"{BILLING_V4}/{CREATE_ACTION}", json=body)


async def test_billing_amounts_with_19_percent_tax(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    order = await _order(writer, FG13="1", TG17="3")
    number = str(order["SalesOrder"])
    created = await _deliver(writer, number, "10", "20")
    delivery = created.json()["d"]["DeliveryDocument"]
    nothing = await _bill(writer, delivery)
    assert nothing.status_code == 400
    assert nothing.json()["error"]["code"] == "VF/016"
    assert (await _pick_and_issue(writer, delivery, created.headers["etag"])).status_code == 200

    by_order = await _bill(writer, number)
    assert by_order.status_code == 400, "an order billed from its deliveries is not a reference"
    billed = await _bill(writer, delivery)
    assert billed.status_code == 200, billed.text
    [invoice] = billed.json()["value"]
    net = sandbox.price("FG13") + sandbox.price("TG17") * 3
    tax = (sandbox.price("FG13") * Decimal("0.19")).quantize(Decimal("0.01")) + (
        sandbox.price("TG17") * 3 * Decimal("0.19")
    ).quantize(Decimal("0.01"))
    assert invoice["BillingDocument"] == "90000010"
    assert invoice["BillingDocumentType"] == "F2"
    assert Decimal(invoice["TotalNetAmount"]) == net
    assert Decimal(invoice["TaxAmount"]) == tax
    assert Decimal(invoice["TotalGrossAmount"]) == net + tax
    assert invoice["SoldToParty"] == "10100001"

    read = await writer.get(f"{BILLING}/A_BillingDocument('90000010')")
    assert read.json()["d"]["PurchaseOrderByCustomer"] == "GW-TEST-1"
    assert read.headers["etag"] == read.json()["d"]["__metadata"]["etag"]
    items = await writer.get(f"{BILLING}/A_BillingDocument('90000010')/to_Item")
    lines = items.json()["d"]["results"]
    assert [(line["SalesDocument"], line["SalesDocumentItem"]) for line in lines] == [
        (number, "10"),
        (number, "20"),
    ]
    assert all(line["ReferenceSDDocument"] == delivery for line in lines)
    after = (await writer.get(f"{SO}/A_SalesOrder('{number}')")).json()["d"]
    assert after["OverallOrdReltdBillgStatus"] == "", "delivery-related billing leaves it empty"
    assert after["OverallSDProcessStatus"] == "C"
    twice = await _bill(writer, delivery)
    assert twice.status_code == 400


async def test_billing_service_v2_reads_and_cancels_but_does_not_create(
    writer: httpx.AsyncClient,
) -> None:
    metadata = (await writer.get(f"{BILLING}/$metadata")).text
    # As SAP's metadata declares: Cancel answers messages, GetPDF (a GET) the PDF.
    assert (
        '<FunctionImport Name="Cancel"'
        ' ReturnType="Collection(API_BILLING_DOCUMENT_SRV.CancelResult)" m:HttpMethod="POST"'
        in metadata
    )
    assert (
        '<FunctionImport Name="GetPDF" ReturnType="API_BILLING_DOCUMENT_SRV.GetPDFResult"'
        ' m:HttpMethod="GET"' in metadata
    )
    assert '<ComplexType Name="GetPDFResult">' in metadata
    deliveries = (await writer.get(f"{DELIVERY}/$metadata")).text
    for name in ("PickAllItems", "PostGoodsIssue"):
        assert (
            f'<FunctionImport Name="{name}"'
            ' ReturnType="Collection(API_OUTBOUND_DELIVERY_SRV.PickingReport)"' in deliveries
        )
    assert "CreateFromSDDocument" not in metadata
    missing = await writer.post(f"{BILLING}/CreateFromSDDocument", params={"SDDocument": "'1'"})
    assert missing.status_code == 404
    assert "CreateFromSDDocument" in (await writer.get(f"{BILLING_V4}/$metadata")).text

    order = await _order(writer, TG11="2")
    number = str(order["SalesOrder"])
    created = await _deliver(writer, number, "10")
    delivery = created.json()["d"]["DeliveryDocument"]
    assert (await _pick_and_issue(writer, delivery, created.headers["etag"])).status_code == 200
    first = (await _bill(writer, delivery)).json()["value"][0]["BillingDocument"]
    cancelled = await writer.post(f"{BILLING}/Cancel", params={"BillingDocument": f"'{first}'"})
    assert cancelled.status_code == 200, cancelled.text
    [result] = cancelled.json()["d"]["results"]  # a CancelResult message, not the document
    assert result["BillingDocument"] == first
    read_back = await writer.get(f"{BILLING}/A_BillingDocument('{first}')")
    assert read_back.json()["d"]["BillingDocumentIsCancelled"] is True
    pdf = await writer.get(f"{BILLING}/GetPDF", params={"BillingDocument": f"'{first}'"})
    assert pdf.status_code == 200, pdf.text
    binary = pdf.json()["d"]["GetPDF"]["BillingDocumentBinary"]
    assert base64.b64decode(binary).startswith(b"%PDF-")
    assert (
        await writer.post(f"{BILLING}/GetPDF", params={"BillingDocument": "'1'"})
    ).status_code == 405
    again = await _bill(writer, delivery)
    assert again.status_code == 200, "a cancelled document's delivery is due for billing again"
    assert again.json()["value"][0]["BillingDocument"] != first


async def test_delivery_refuses_what_is_not_open(writer: httpx.AsyncClient) -> None:
    order = await _order(writer, TG11="1")
    number = str(order["SalesOrder"])
    assert (await _deliver(writer, number, "10")).status_code == 201
    again = await _deliver(writer, number, "10")
    assert again.status_code == 400
    unknown = await _deliver(writer, number, "90")
    assert unknown.status_code == 400
    empty = await writer.post(f"{DELIVERY}/A_OutbDeliveryHeader", json={})
    assert empty.status_code == 400
    sap_error(empty)


async def test_seed_documents_are_consistent(sandbox: Sandbox) -> None:
    orders = sandbox.rows("A_SalesOrder")
    items = sandbox.rows("A_SalesOrderItem")
    assert len(orders) == 30
    for order in orders:
        lines = [item for item in items if item["SalesOrder"] == order["SalesOrder"]]
        assert 1 <= len(lines) <= 4
        assert order["TotalNetAmount"] == sum(item["NetAmount"] for item in lines)
        assert (ANCHOR - order["LastChangeDateTime"]).days < 90
    invoices = sandbox.rows("A_BillingDocument")
    assert len(invoices) == 10
    for invoice in invoices:
        assert invoice["TotalGrossAmount"] == invoice["TotalNetAmount"] + invoice["TaxAmount"]
    deliveries = sandbox.rows("A_OutbDeliveryHeader")
    assert len(deliveries) == 20
    assert all(row["OverallGoodsMovementStatus"] == "C" for row in deliveries)
    assert all(row.keys() == deliveries[0].keys() for row in deliveries)
    assert "_ChangedAt" not in deliveries[0]


async def test_reset_restores_the_seed(writer: httpx.AsyncClient, sandbox: Sandbox) -> None:
    seeded_orders = sandbox.rows("A_SalesOrder")
    seeded_stock = sandbox.rows("A_MatlStkInAcctMod")
    order = await _order(writer, FG11="2")
    created = await _deliver(writer, str(order["SalesOrder"]), "10")
    await _pick_and_issue(writer, created.json()["d"]["DeliveryDocument"], created.headers["etag"])
    assert sandbox.rows("A_MatlStkInAcctMod") != seeded_stock
    sandbox.reset()
    assert sandbox.rows("A_SalesOrder") == seeded_orders
    assert sandbox.rows("A_MatlStkInAcctMod") == seeded_stock
    again = await _order(writer, FG11="1")
    assert again["SalesOrder"] == "31"


async def test_state_survives_a_restart_with_a_data_dir(tmp_path: Path) -> None:
    settings = SandboxSettings(data_dir=tmp_path / "sap", csrf_enabled=False, seed_anchor=ANCHOR)
    first = create_app(settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=first),
            base_url="http://sandbox.test",
            auth=("GATEWAY", "sandbox"),
        ) as http:
            response = await http.post(f"{SO}/A_SalesOrder", json=order_body(TG11="4"))
            assert response.json()["d"]["SalesOrder"] == "31"
    finally:
        first.state.sandbox.close()
    second = create_app(settings)
    try:
        sandbox: Sandbox = second.state.sandbox
        assert sandbox.count("A_SalesOrder") == 31
        assert sandbox.rows("A_SalesOrderItem")[-1]["RequestedQuantity"] == Decimal(4)
    finally:
        second.state.sandbox.close()
    assert (tmp_path / "sap" / "sap_sandbox.sqlite3").exists()
