"""Output tax on the sandbox: determined per item from customer and product classification."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import httpx

from erp_sandbox.sap import Sandbox
from tests.integration.sandbox.support import (
    BILLING,
    BILLING_V4,
    CREATE_ACTION,
    PARTNER,
    PRODUCT,
    SO,
    order_body,
)
from tests.integration.sandbox.test_fulfilment import _deliver, _pick_and_issue

GERMAN_CUSTOMER = "10100001"  # Müller Maschinenbau GmbH, Stuttgart
US_CUSTOMER = "10100007"  # Brightwater Supplies Inc., Denver: an export
RATES = {"1": Decimal("0.19"), "2": Decimal("0.07"), "0": Decimal(0)}
CENT = Decimal("0.01")  # SAP rounds commercially: half a cent up


async def test_products_and_customers_carry_tax_classifications(
    writer: httpx.AsyncClient,
) -> None:
    taxes = await writer.get(
        f"{PRODUCT}/A_ProductSalesTax",
        params={"$filter": "Country eq 'DE'", "$format": "json"},
    )
    assert taxes.status_code == 200, taxes.text
    classes = {row["Product"]: row["TaxClassification"] for row in taxes.json()["d"]["results"]}
    assert (classes["FG13"], classes["FG19"], classes["FG35"]) == ("1", "2", "0")
    assert set(classes.values()) == {"0", "1", "2"}
    expanded = await writer.get(
        f"{PRODUCT}/A_Product('FG19')", params={"$expand": "to_SalesTax", "$format": "json"}
    )
    assert [row["TaxCategory"] for row in expanded.json()["d"]["to_SalesTax"]["results"]] == [
        "MWST",
        "MWST",
    ]
    customers = await writer.get(
        f"{PARTNER}/A_CustomerSalesAreaTax",
        params={"$filter": "SalesOrganization eq '1010'", "$format": "json"},
    )
    by_customer = {
        row["Customer"]: row["CustomerTaxClassification"]
        for row in customers.json()["d"]["results"]
    }
    assert (by_customer[GERMAN_CUSTOMER], by_customer[US_CUSTOMER]) == ("1", "0")


async def test_order_items_are_taxed_by_classification(writer: httpx.AsyncClient) -> None:
    created = await writer.post(
        f"{SO}/A_SalesOrder", json=order_body(GERMAN_CUSTOMER, FG13="2", FG19="3", FG35="1")
    )
    assert created.status_code == 201, created.text
    order = created.json()["d"]
    assert (order["CustomerTaxClassification1"], order["TaxDepartureCountry"]) == ("1", "DE")
    items = order["to_Item"]["results"]
    assert [item["ProductTaxClassification1"] for item in items] == ["1", "2", "0"]
    for item in items:
        net = Decimal(item["NetAmount"])
        expected = (net * RATES[item["ProductTaxClassification1"]]).quantize(CENT, ROUND_HALF_UP)
        assert Decimal(item["TaxAmount"]) == expected
    assert [Decimal(item["TaxAmount"]) > 0 for item in items] == [True, True, False]

    exported = await writer.post(f"{SO}/A_SalesOrder", json=order_body(US_CUSTOMER, FG13="2"))
    [item] = exported.json()["d"]["to_Item"]["results"]
    assert exported.json()["d"]["CustomerTaxClassification1"] == "0"
    assert Decimal(item["TaxAmount"]) == 0
    assert Decimal(item["NetAmount"]) > 0


async def test_billing_takes_each_items_rate(writer: httpx.AsyncClient, sandbox: Sandbox) -> None:
    created = await writer.post(
        f"{SO}/A_SalesOrder", json=order_body(GERMAN_CUSTOMER, FG13="1", FG19="4", FG35="2")
    )
    number = created.json()["d"]["SalesOrder"]
    delivered = await _deliver(writer, number, "10", "20", "30")
    delivery = delivered.json()["d"]["DeliveryDocument"]
    issued = await _pick_and_issue(writer, delivery, delivered.headers["etag"])
    assert issued.status_code == 200, issued.text
    billed = await writer.post(
        f"{BILLING_V4}/{CREATE_ACTION}",
        json={"_Control": {}, "_Reference": [{"SDDocument": delivery}]},
    )
    assert billed.status_code == 200, billed.text
    [document] = billed.json()["value"]

    read = await writer.get(
        f"{BILLING}/A_BillingDocument('{document['BillingDocument']}')",
        params={"$expand": "to_Item", "$format": "json"},
    )
    header = read.json()["d"]
    items = {item["Material"]: item for item in header["to_Item"]["results"]}
    prices = {"FG13": sandbox.price("FG13"), "FG19": sandbox.price("FG19") * 4}
    prices["FG35"] = sandbox.price("FG35") * 2
    rates = {"FG13": Decimal("0.19"), "FG19": Decimal("0.07"), "FG35": Decimal(0)}
    for material, item in items.items():
        assert Decimal(item["NetAmount"]) == prices[material]
        assert Decimal(item["TaxAmount"]) == (prices[material] * rates[material]).quantize(
            CENT, ROUND_HALF_UP
        )
    net = sum(prices.values(), Decimal(0))
    tax = sum((Decimal(item["TaxAmount"]) for item in items.values()), Decimal(0))
    assert Decimal(header["TotalNetAmount"]) == net
    assert Decimal(header["TaxAmount"]) == tax
    assert Decimal(header["TotalGrossAmount"]) == net + tax
    assert Decimal(document["TaxAmount"]) == tax
