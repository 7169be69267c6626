"""Constants and helpers of the SAP sandbox tests."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

ANCHOR = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)
USER, PASSWORD = "GATEWAY", "sandbox"
SO = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
DELIVERY = "/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002"
BILLING = "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV"
BILLING_V4 = "/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001"
CREATE_ACTION = "BillingDocument/SAP__self.CreateFromSDDocument"
PARTNER = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
PRODUCT = "/sap/opu/odata/sap/API_PRODUCT_SRV"
STOCK = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"


async def fetch_token(client: httpx.AsyncClient, root: str = SO) -> str:
    """Fetch a CSRF token (the session cookie lands in the client's cookie jar)."""
    response = await client.get(f"{root}/", headers={"X-CSRF-Token": "Fetch"})
    assert response.status_code == 200
    token = response.headers["x-csrf-token"]
    assert token
    assert token.lower() != "required"
    return token


def order_body(sold_to: str = "10100001", **items: str) -> dict[str, object]:
    """A deep-insert body ordering ``material=quantity`` items."""
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": sold_to,
        "PurchaseOrderByCustomer": "GW-TEST-1",
        "to_Item": {
            "results": [
                {"Material": material, "RequestedQuantity": amount}
                for material, amount in items.items()
            ]
        },
    }


def sap_error(response: httpx.Response) -> dict[str, object]:
    """The ``error`` object of an SAP error answer, checked for SAP's shape."""
    error = response.json()["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert error["message"]["lang"] == "en"
    assert isinstance(error["message"]["value"], str)
    assert error["message"]["value"]
    inner = error["innererror"]
    assert inner["application"]["service_namespace"] == "/SAP/"
    assert len(inner["transactionid"]) == 32
    assert len(inner["timestamp"]) == 22
    assert inner["errordetails"]
    assert isinstance(error, dict)
    return error
