"""Reads against the SAP sandbox as an SAP OData v2 client sees them."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import PARTNER, PRODUCT, SO, STOCK, sap_error

JSON_DATE = re.compile(r"^/Date\(-?\d+\)/$")
JSON_OFFSET = re.compile(r"^/Date\(-?\d+\+0000\)/$")


async def test_collection_with_inlinecount(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{SO}/A_SalesOrder", params={"$inlinecount": "allpages", "$top": "5", "$format": "json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()["d"]
    assert body["__count"] == "30"
    assert [order["SalesOrder"] for order in body["results"]] == ["1", "2", "3", "4", "5"]
    order = body["results"][0]
    metadata = order["__metadata"]
    assert metadata["type"] == "API_SALES_ORDER_SRV.A_SalesOrderType"
    assert metadata["uri"].endswith(f"{SO}/A_SalesOrder('1')")
    assert metadata["id"] == metadata["uri"]
    assert metadata["etag"].startswith("W/\"datetimeoffset'")
    assert JSON_DATE.match(order["SalesOrderDate"])
    assert JSON_OFFSET.match(order["LastChangeDateTime"])
    assert isinstance(order["TotalNetAmount"], str)
    Decimal(order["TotalNetAmount"])
    assert order["to_Item"] == {"__deferred": {"uri": f"{metadata['uri']}/to_Item"}}


async def test_no_count_without_inlinecount(client: httpx.AsyncClient) -> None:
    body = (await client.get(f"{SO}/A_SalesOrder", params={"$top": "1"})).json()["d"]
    assert "__count" not in body
    assert len(body["results"]) == 1


async def test_customers_are_partners_with_customer_role(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{PARTNER}/A_BusinessPartner",
        params={"$filter": "Customer ne ''", "$inlinecount": "allpages", "$top": "0"},
    )
    body = response.json()["d"]
    assert body["__count"] == "28"
    assert body["results"] == []
    everyone = (await client.get(f"{PARTNER}/A_BusinessPartner")).json()["d"]["results"]
    assert len(everyone) == 32
    assert {partner["BusinessPartnerCategory"] for partner in everyone} == {"1", "2"}


@pytest.mark.parametrize(
    ("expression", "check"),
    [
        ("SoldToParty eq '10100003'", lambda o: o["SoldToParty"] == "10100003"),
        ("OverallTotalDeliveryStatus eq 'A'", lambda o: o["OverallTotalDeliveryStatus"] == "A"),
        ("TotalNetAmount gt 1000", lambda o: Decimal(o["TotalNetAmount"]) > 1000),
        (
            "OverallSDProcessStatus eq 'C' or OverallTotalDeliveryStatus eq 'C'",
            lambda o: "C" in (o["OverallSDProcessStatus"], o["OverallTotalDeliveryStatus"]),
        ),
        (
            "not (OverallOrdReltdBillgStatus eq 'C')",
            lambda o: o["OverallOrdReltdBillgStatus"] != "C",
        ),
        ("startswith(PurchaseOrderByCustomer,'PO-')", lambda o: True),
        (
            "CreationDate ge datetime'2024-05-01T00:00:00' and "
            "CreationDate lt datetime'2024-06-01T00:00:00'",
            lambda o: 1714521600000 <= int(o["CreationDate"][6:-2]) < 1717200000000,
        ),
        ("LastChangeDateTime gt datetimeoffset'2024-05-20T00:00:00Z'", lambda o: True),
        ("SalesOrder gt '9' and SalesOrder le '0000000012'", lambda o: o["SalesOrder"] in "101112"),
    ],
)
async def test_filter_variants(client: httpx.AsyncClient, expression: str, check: object) -> None:
    response = await client.get(
        f"{SO}/A_SalesOrder", params={"$filter": expression, "$inlinecount": "allpages"}
    )
    assert response.status_code == 200, response.text
    body = response.json()["d"]
    assert body["__count"] == str(len(body["results"]))
    assert body["results"], expression
    assert all(check(order) for order in body["results"])  # type: ignore[operator]


async def test_filter_on_status_partitions_the_seed(client: httpx.AsyncClient) -> None:
    counts = {}
    for status in "ABC":
        body = await client.get(
            f"{SO}/A_SalesOrder",
            params={"$filter": f"OverallSDProcessStatus eq '{status}'", "$inlinecount": "allpages"},
        )
        counts[status] = int(body.json()["d"]["__count"])
    assert counts == {"A": 10, "B": 10, "C": 10}


async def test_expand_and_select(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{SO}/A_SalesOrder",
        params={
            "$filter": "SalesOrder eq '3'",
            "$expand": "to_Item",
            "$select": "SalesOrder,TotalNetAmount,to_Item/Material,to_Item/NetAmount",
        },
    )
    [order] = response.json()["d"]["results"]
    assert set(order) == {"__metadata", "SalesOrder", "TotalNetAmount", "to_Item"}
    items = order["to_Item"]["results"]
    assert items
    assert all(set(item) == {"__metadata", "Material", "NetAmount"} for item in items)
    total = sum(Decimal(item["NetAmount"]) for item in items)
    assert total == Decimal(order["TotalNetAmount"])


async def test_nested_expand_to_one(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{SO}/A_SalesOrder('2')", params={"$expand": "to_Item,to_Item/to_SalesOrder"}
    )
    order = response.json()["d"]
    for item in order["to_Item"]["results"]:
        assert item["to_SalesOrder"]["SalesOrder"] == "2"
        assert "__deferred" in item["to_SalesOrder"]["to_Item"]


async def test_product_with_descriptions(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{PRODUCT}/A_Product('TG11')", params={"$expand": "to_Description"}
    )
    product = response.json()["d"]
    assert product["ProductType"] == "HAWA"
    assert product["BaseUnit"] == "PC"
    [description] = product["to_Description"]["results"]
    assert description == {
        "__metadata": description["__metadata"],
        "Product": "TG11",
        "Language": "EN",
        "ProductDescription": "Cordless Drill 18V",
    }
    everything = await client.get(f"{PRODUCT}/A_Product", params={"$inlinecount": "allpages"})
    assert everything.json()["d"]["__count"] == "50"


async def test_stock_rows(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    response = await client.get(
        f"{STOCK}/A_MatlStkInAcctMod",
        params={"$filter": "Material eq 'FG11' and InventoryStockType eq '01'"},
    )
    rows = response.json()["d"]["results"]
    assert {(row["Plant"], row["StorageLocation"]) for row in rows} == {
        ("1010", "0001"),
        ("1710", "171A"),
    }
    for row in rows:
        assert row["Batch"] == row["Supplier"] == row["SDDocument"] == ""
        assert row["MaterialBaseUnit"] == "PC"
        expected = sandbox.stock("FG11", row["Plant"], row["StorageLocation"])
        assert Decimal(row["MatlWrhsStkQtyInMatlBaseUnit"]) == expected


async def test_paging_with_orderby(client: httpx.AsyncClient) -> None:
    params = {"$orderby": "TotalNetAmount desc,SalesOrder", "$select": "SalesOrder,TotalNetAmount"}
    everything = (await client.get(f"{SO}/A_SalesOrder", params=params)).json()["d"]["results"]
    amounts = [Decimal(order["TotalNetAmount"]) for order in everything]
    assert amounts == sorted(amounts, reverse=True)
    page = await client.get(f"{SO}/A_SalesOrder", params={**params, "$skip": "10", "$top": "5"})
    assert page.json()["d"]["results"] == everything[10:15]
    beyond = await client.get(f"{SO}/A_SalesOrder", params={**params, "$skip": "40"})
    assert beyond.json()["d"]["results"] == []


async def test_key_reads_and_etag_header(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SO}/A_SalesOrder('7')")
    assert response.status_code == 200
    order = response.json()["d"]
    assert order["SalesOrder"] == "7"
    assert response.headers["etag"] == order["__metadata"]["etag"]
    padded = await client.get(f"{SO}/A_SalesOrder('0000000007')")
    assert padded.json()["d"]["SalesOrder"] == "7"
    item = await client.get(f"{SO}/A_SalesOrderItem(SalesOrder='7',SalesOrderItem='10')")
    assert item.json()["d"]["SalesOrderItem"] == "10"
    items = await client.get(f"{SO}/A_SalesOrder('7')/to_Item")
    assert next(row["SalesOrderItem"] for row in items.json()["d"]["results"]) == "10"
    count = await client.get(f"{SO}/A_SalesOrder/$count", params={"$filter": "SalesOrder le '3'"})
    assert count.text == "3"


async def test_unknown_entity_is_404_with_sap_body(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SO}/A_SalesOrder('999999')")
    assert response.status_code == 404
    error = sap_error(response)
    assert error["code"] == "/IWBEP/CM_MGW_RT/020"
    application = error["innererror"]["application"]  # type: ignore[index]
    assert application["service_id"] == "API_SALES_ORDER_SRV"
    for path in ("A_Nothing", "A_SalesOrder('1')/to_Nothing"):
        assert (await client.get(f"{SO}/{path}")).status_code == 404
    assert (await client.get("/sap/opu/odata/sap/API_NOPE_SRV/")).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"$filter": "SalesOrder eq"},
        {"$filter": "Nope eq '1'"},
        {"$filter": "TotalNetAmount eq 'x'"},
        {"$top": "-1"},
        {"$skip": "abc"},
        {"$orderby": "Nope desc"},
        {"$orderby": "SalesOrder sideways"},
        {"$expand": "to_Nothing"},
        {"$select": "Nope"},
        {"$select": "to_Item/Material"},
        {"$inlinecount": "sometimes"},
        {"$format": "atom"},
        {"$search": "x"},
    ],
)
async def test_bad_query_options_are_400(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get(f"{SO}/A_SalesOrder", params=params)
    assert response.status_code == 400, params
    sap_error(response)


async def test_bad_key_predicate_is_400(client: httpx.AsyncClient) -> None:
    for path in ("A_SalesOrder(1)", "A_SalesOrder('1", "A_SalesOrderItem('1')"):
        response = await client.get(f"{SO}/{path}")
        assert response.status_code == 400, path
        sap_error(response)


async def test_service_document_and_metadata(client: httpx.AsyncClient) -> None:
    document = await client.get(f"{SO}/")
    assert document.json() == {"d": {"EntitySets": ["A_SalesOrder", "A_SalesOrderItem"]}}
    xml = await client.get(f"{SO}/", headers={"Accept": "application/xml"})
    assert xml.headers["content-type"].startswith("application/xml")
    assert 'href="A_SalesOrder"' in xml.text
    metadata = await client.get(f"{SO}/$metadata")
    assert metadata.status_code == 200
    assert metadata.headers["content-type"].startswith("application/xml")
    text = metadata.text
    assert 'm:DataServiceVersion="2.0"' in text
    assert '<EntityType Name="A_SalesOrderType"' in text
    assert 'Name="LastChangeDateTime" Type="Edm.DateTimeOffset"' in text
    assert 'ConcurrencyMode="Fixed"' in text
    assert 'Name="RequestedQuantity" Type="Edm.Decimal" Precision="15" Scale="3"' in text
    delivery = await client.get("/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002/$metadata")
    assert '<FunctionImport Name="PostGoodsIssue"' in delivery.text
    assert 'm:HttpMethod="POST"' in delivery.text


async def test_server_side_paging(sandbox: Sandbox) -> None:
    from dataclasses import replace

    from erp_sandbox.sap import create_app

    app = create_app(replace(sandbox.settings, page_size=12))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox.test", auth=("GATEWAY", "sandbox")
        ) as http:
            seen: list[str] = []
            url: str | None = f"{SO}/A_SalesOrder?$inlinecount=allpages"
            while url:
                body = (await http.get(url)).json()["d"]
                assert body["__count"] == "30"
                seen += [order["SalesOrder"] for order in body["results"]]
                url = body.get("__next")
            assert seen == [str(number) for number in range(1, 31)]
    finally:
        app.state.sandbox.close()
