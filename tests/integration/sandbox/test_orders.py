"""Sales order deep insert and header changes with optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import SO, order_body, sap_error


async def test_deep_insert_numbers_prices_and_answers_like_sap(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    response = await writer.post(f"{SO}/A_SalesOrder", json=order_body(TG11="2", FG19="1.5"))
    assert response.status_code == 201, response.text
    order = response.json()["d"]
    assert order["SalesOrder"] == "31"
    assert response.headers["location"].endswith(f"{SO}/A_SalesOrder('31')")
    assert response.headers["etag"] == order["__metadata"]["etag"]
    assert "31" in response.headers["sap-message"]
    items = order["to_Item"]["results"]
    assert [item["SalesOrderItem"] for item in items] == ["10", "20"]
    assert items[0]["NetAmount"] == str(sandbox.price("TG11") * 2)
    assert Decimal(items[1]["NetAmount"]) == (sandbox.price("FG19") * Decimal("1.5")).quantize(
        Decimal("0.01")
    )
    assert items[1]["RequestedQuantityUnit"] == "KG"
    assert items[0]["SalesOrderItemText"] == "Cordless Drill 18V"
    assert Decimal(order["TotalNetAmount"]) == sum(Decimal(item["NetAmount"]) for item in items)
    assert order["PurchaseOrderByCustomer"] == "GW-TEST-1"
    assert order["TransactionCurrency"] == "EUR"
    assert (
        order["OverallSDProcessStatus"],
        order["OverallTotalDeliveryStatus"],
        order["OverallOrdReltdBillgStatus"],
    ) == ("A", "A", ""), "items billed from deliveries: no order-related billing status"
    second = await writer.post(f"{SO}/A_SalesOrder", json=order_body(TG12="1"))
    assert second.json()["d"]["SalesOrder"] == "32"
    read_back = await writer.get(f"{SO}/A_SalesOrder('31')", params={"$expand": "to_Item"})
    assert read_back.json()["d"]["to_Item"]["results"][1]["Material"] == "FG19"


async def test_deep_insert_accepts_a_plain_item_list(writer: httpx.AsyncClient) -> None:
    body = order_body()
    body["to_Item"] = [{"Material": "FG11", "RequestedQuantity": 1}]
    response = await writer.post(f"{SO}/A_SalesOrder", json=body)
    assert response.status_code == 201, response.text


async def test_item_takes_the_requested_plant_and_storage_location(
    writer: httpx.AsyncClient,
) -> None:
    body = order_body()
    body["to_Item"] = [
        {
            "Material": "TG12",
            "RequestedQuantity": "1",
            "ProductionPlant": "1710",
            "StorageLocation": "171A",
        }
    ]
    response = await writer.post(f"{SO}/A_SalesOrder", json=body)
    [item] = response.json()["d"]["to_Item"]["results"]
    assert (item["ProductionPlant"], item["StorageLocation"]) == ("1710", "171A")


async def test_item_plant_defaults_to_most_stock(
    writer: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    response = await writer.post(f"{SO}/A_SalesOrder", json=order_body(FG12="1"))
    [item] = response.json()["d"]["to_Item"]["results"]
    stocks = {
        "1010": sandbox.stock("FG12", "1010", "0001"),
        "1710": sandbox.stock("FG12", "1710", "171A"),
    }
    assert item["ProductionPlant"] == max(stocks, key=lambda plant: stocks[plant])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (order_body("99999999", TG11="1"), "V1/320"),
        (order_body("10300001", TG11="1"), "V1/320"),
        (order_body("10100028", TG11="1"), "V1/321"),
        (order_body(NOPE="1"), "M3/305"),
        (order_body(TG11="0"), "V1/201"),
        (order_body(TG11="-2"), "V1/201"),
        (order_body(), "V1/555"),
        ({**order_body(TG11="1"), "SalesOrganization": "9999"}, "V1/305"),
        ({**order_body(TG11="1"), "Bogus": "x"}, "/IWBEP/CM_MGW_RT/004"),
        (
            {
                **order_body(),
                "to_Item": [
                    {
                        "Material": "TG11",
                        "RequestedQuantity": "1",
                        "ProductionPlant": "1710",
                        "StorageLocation": "0001",
                    }
                ],
            },
            "M7/001",
        ),
        (
            {
                **order_body(),
                "to_Item": [{"Material": "TG11", "RequestedQuantity": "1", "ProductionPlant": "9"}],
            },
            "ME/040",
        ),
        (
            {
                **order_body(),
                "to_Item": [
                    {"Material": "FG19", "RequestedQuantity": "1", "RequestedQuantityUnit": "PC"}
                ],
            },
            "V1/506",
        ),
        ({**order_body(TG11="1"), "PurchaseOrderByCustomer": "x" * 36}, "/IWBEP/CM_MGW_RT/004"),
    ],
)
async def test_invalid_orders_are_refused_and_nothing_is_stored(
    writer: httpx.AsyncClient, sandbox: Sandbox, body: dict[str, object], code: str
) -> None:
    response = await writer.post(f"{SO}/A_SalesOrder", json=body)
    assert response.status_code == 400, response.text
    assert sap_error(response)["code"] == code
    assert sandbox.count("A_SalesOrder") == 30
    assert sandbox.count("A_SalesOrderItem") == 73
    accepted = await writer.post(f"{SO}/A_SalesOrder", json=order_body(TG11="1"))
    assert accepted.json()["d"]["SalesOrder"] == "31"


async def test_invalid_json_is_400(writer: httpx.AsyncClient) -> None:
    response = await writer.post(
        f"{SO}/A_SalesOrder", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    sap_error(response)


async def test_read_only_sets_refuse_writes(writer: httpx.AsyncClient) -> None:
    response = await writer.post(f"{SO}/A_SalesOrderItem", json={"Material": "TG11"})
    assert response.status_code == 405
    deleted = await writer.delete(f"{SO}/A_SalesOrder('1')")
    assert deleted.status_code == 405
    sap_error(deleted)


async def test_patch_needs_a_current_etag(writer: httpx.AsyncClient) -> None:
    read = await writer.get(f"{SO}/A_SalesOrder('25')")
    etag = read.headers["etag"]
    change = {"PurchaseOrderByCustomer": "CHANGED-1"}
    missing = await writer.patch(f"{SO}/A_SalesOrder('25')", json=change)
    assert missing.status_code == 428
    sap_error(missing)
    updated = await writer.patch(
        f"{SO}/A_SalesOrder('25')", json=change, headers={"If-Match": etag}
    )
    assert updated.status_code == 204
    new_etag = updated.headers["etag"]
    assert new_etag != etag
    stale = await writer.patch(
        f"{SO}/A_SalesOrder('25')",
        json={"PurchaseOrderByCustomer": "X"},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    sap_error(stale)
    merged = await writer.request(
        "MERGE",
        f"{SO}/A_SalesOrder('25')",
        json={"PurchaseOrderByCustomer": "CHANGED-2"},
        headers={"If-Match": new_etag},
    )
    assert merged.status_code == 204
    after = (await writer.get(f"{SO}/A_SalesOrder('25')")).json()["d"]
    assert after["PurchaseOrderByCustomer"] == "CHANGED-2"
    assert after["__metadata"]["etag"] == merged.headers["etag"]


async def test_patch_through_x_http_method_and_read_only_fields(writer: httpx.AsyncClient) -> None:
    etag = (await writer.get(f"{SO}/A_SalesOrder('26')")).headers["etag"]
    refused = await writer.post(
        f"{SO}/A_SalesOrder('26')",
        json={"TotalNetAmount": "1.00"},
        headers={"If-Match": etag, "X-HTTP-Method": "MERGE"},
    )
    assert refused.status_code == 400
    tunnelled = await writer.post(
        f"{SO}/A_SalesOrder('26')",
        json={"RequestedDeliveryDate": "/Date(1719792000000)/"},
        headers={"If-Match": etag, "X-HTTP-Method": "MERGE"},
    )
    assert tunnelled.status_code == 204
    after = (await writer.get(f"{SO}/A_SalesOrder('26')")).json()["d"]
    assert after["RequestedDeliveryDate"] == "/Date(1719792000000)/"
    missing = await writer.patch(
        f"{SO}/A_SalesOrder('999')",
        json={"PurchaseOrderByCustomer": "X"},
        headers={"If-Match": "*"},
    )
    assert missing.status_code == 404
