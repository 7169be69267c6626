"""SAP entities to canonical records and back, with real-shaped payloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sap_payloads import (
    BILLING_DOCUMENT,
    BUSINESS_PARTNER,
    DELIVERY,
    PRODUCT,
    SALES_ORDER,
    clone,
    stock_row,
)

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import (
    Address,
    DocumentStatus,
    InvoiceStatus,
    Money,
    OrderStatus,
    Quantity,
    Source,
)
from system_apis.sap.mapping.billing import invoice_from_sap
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.mapping.deliveries import delivery_body, delivery_from_sap, open_order_items
from system_apis.sap.mapping.partners import customer_from_sap
from system_apis.sap.mapping.products import product_from_sap
from system_apis.sap.mapping.sales import sales_order_body, sales_order_from_sap
from system_apis.sap.mapping.stock import inventory_from_sap

pytestmark = pytest.mark.unit

SOURCE = Source(connection="s4", erp="sap")
DEFAULTS = SapDefaults()


def test_customer_with_address() -> None:
    customer = customer_from_sap(BUSINESS_PARTNER, SOURCE)
    assert customer.id == "s4:17100001"
    assert customer.native_id == "17100001"
    assert customer.source == SOURCE
    assert customer.name == "Domestic Customer O'Neill GmbH"
    assert customer.is_organization is True
    assert customer.blocked is False
    assert customer.address == Address(
        street="Unter den Linden 5", postal_code="10117", city="Berlin", region="BE", country="DE"
    )
    assert customer.created_at == dt.datetime(2016, 12, 1, tzinfo=dt.UTC)
    assert customer.changed_at == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_customer_native_id_is_the_customer_number_and_address_is_optional() -> None:
    partner = clone(BUSINESS_PARTNER)
    partner["BusinessPartner"] = "BP1"
    partner["Customer"] = "C1"
    partner["BusinessPartnerCategory"] = "1"
    partner["BusinessPartnerIsBlocked"] = True
    partner["to_BusinessPartnerAddress"] = {"__deferred": {"uri": "x"}}
    customer = customer_from_sap(partner, SOURCE)
    assert customer.native_id == "C1"
    assert customer.is_organization is False
    assert customer.blocked is True
    assert customer.address is None


def test_product_named_in_the_configured_language() -> None:
    product = product_from_sap(PRODUCT, SOURCE, DEFAULTS)
    assert product.id == "s4:TG11"
    assert product.sku == "TG11"
    assert product.name == "Trading Good 11"
    assert product.base_unit == "PC"
    assert product.product_type == "HAWA"
    assert product.product_group == "L001"
    assert product.gross_weight == Quantity(value=Decimal("1.250"), unit="KG")
    assert product.deleted is False
    german = product_from_sap(PRODUCT, SOURCE, SapDefaults(language="DE"))
    assert german.name == "Handelsware 11"


def test_product_unit_decimals_from_the_connection_map() -> None:
    assert product_from_sap(PRODUCT, SOURCE, DEFAULTS).unit_decimals == 0  # PC: SAP standard
    by_kilo = clone(PRODUCT)
    by_kilo["BaseUnit"] = "KG"
    assert product_from_sap(by_kilo, SOURCE, DEFAULTS).unit_decimals == 3
    own = SapDefaults(unit_decimals={"PC": 2})
    assert product_from_sap(PRODUCT, SOURCE, own).unit_decimals == 2
    unknown = clone(PRODUCT)
    unknown["BaseUnit"] = "ZZ"
    assert product_from_sap(unknown, SOURCE, DEFAULTS).unit_decimals is None


def test_product_without_descriptions_or_weight() -> None:
    raw = clone(PRODUCT)
    raw["to_Description"] = {"results": []}
    raw["GrossWeight"] = "0.000"
    raw["WeightUnit"] = ""
    raw["ProductGroup"] = ""
    product = product_from_sap(raw, SOURCE, DEFAULTS)
    assert product.name == "TG11"
    assert product.gross_weight is None
    assert product.product_group is None


def test_inventory_sums_unrestricted_rows_per_place() -> None:
    rows = [
        stock_row("TG11", "1010", "0001", "10.000", batch="B1"),
        stock_row("TG11", "1010", "0001", "5.500", batch="B2"),
        stock_row("TG11", "1010", "0001", "99.000", stock_type="02"),
        stock_row("TG11", "1010", "0002", "3.000"),
        stock_row("TG12", "1010", "0001", "0.000"),
    ]
    levels = inventory_from_sap(rows, SOURCE)
    assert [(lvl.sku, lvl.location, lvl.quantity.value) for lvl in levels] == [
        ("TG11", "1010/0001", Decimal("15.500")),
        ("TG11", "1010/0002", Decimal("3.000")),
        ("TG12", "1010/0001", Decimal("0.000")),
    ]
    assert levels[0].id == "s4:TG11@1010/0001"
    assert levels[0].quantity.unit == "PC"
    assert levels[0].stock_type == "unrestricted"


def test_inventory_refuses_to_sum_different_units() -> None:
    rows = [
        stock_row("TG11", "1010", "0001", "1"),
        stock_row("TG11", "1010", "0001", "1", unit="KG"),
    ]
    with pytest.raises(ValueError, match="two units"):
        inventory_from_sap(rows, SOURCE)


def test_sales_order_with_items() -> None:
    order = sales_order_from_sap(SALES_ORDER, SOURCE, DEFAULTS)
    assert order.id == "s4:4711"
    assert order.number == "4711"
    assert order.customer_id == "s4:17100001"
    assert order.external_reference == "PO-2024-001"
    assert order.order_date == dt.date(2024, 3, 5)
    assert order.changed_at == dt.datetime(2024, 3, 5, 10, 15, 30, 123000, tzinfo=dt.UTC)
    assert order.net_amount == Money(amount=Decimal("150.00"), currency="EUR")
    assert order.status is OrderStatus.ORDERED
    assert order.delivery_status is DocumentStatus.OPEN
    assert order.billing_status is DocumentStatus.NOT_RELEVANT
    assert [line.line_number for line in order.lines] == ["10", "20"]
    first = order.lines[0]
    assert first.sku == "TG11"
    assert first.description == "Item TG11"
    assert first.quantity == Quantity(value=Decimal("2"), unit="PC")
    assert first.net_amount == Money(amount=Decimal("100.00"), currency="EUR")
    assert first.tax_amount == Money(amount=Decimal("19.00"), currency="EUR")
    assert first.location == "1010/0001"


def test_sales_order_tax_is_the_sum_of_its_items() -> None:
    raw = clone(SALES_ORDER)
    raw["to_Item"]["results"][0]["TaxAmount"] = "3.50"  # a reduced-rate item: 7% of 50.00
    order = sales_order_from_sap(raw, SOURCE, DEFAULTS)
    assert order.tax_amount == Money(amount=Decimal("22.50"), currency="EUR")
    assert order.gross_amount == Money(amount=Decimal("172.50"), currency="EUR")
    assert [line.tax_amount for line in order.lines] == [
        Money(amount=Decimal("19.00"), currency="EUR"),
        Money(amount=Decimal("3.50"), currency="EUR"),
    ]


def test_tax_free_items_count_as_zero_tax() -> None:
    raw = clone(SALES_ORDER)
    for item in raw["to_Item"]["results"]:
        item["TaxAmount"] = "0.00"
    order = sales_order_from_sap(raw, SOURCE, DEFAULTS)
    assert order.tax_amount == Money(amount=Decimal("0.00"), currency="EUR")
    assert order.gross_amount == order.net_amount


@pytest.mark.parametrize("drop", ["items", "one item's tax"])
def test_order_without_item_taxes_has_no_tax(drop: str) -> None:
    raw = clone(SALES_ORDER)
    if drop == "items":
        raw["to_Item"] = {"__deferred": {"uri": "x"}}
    else:
        del raw["to_Item"]["results"][1]["TaxAmount"]
    order = sales_order_from_sap(raw, SOURCE, DEFAULTS)
    assert (order.tax_amount, order.gross_amount) == (None, None)
    assert order.net_amount == Money(amount=Decimal("150.00"), currency="EUR")


@pytest.mark.parametrize(
    ("delivery", "billing", "expected"),
    [
        ("A", "", OrderStatus.ORDERED),
        ("", "", OrderStatus.ORDERED),
        ("B", "A", OrderStatus.PARTIALLY_SHIPPED),
        ("C", "A", OrderStatus.SHIPPED),
        ("C", "B", OrderStatus.SHIPPED),
        ("C", "C", OrderStatus.INVOICED),
    ],
)
def test_order_status(delivery: str, billing: str, expected: OrderStatus) -> None:
    raw = clone(SALES_ORDER)
    raw["OverallTotalDeliveryStatus"] = delivery
    raw["OverallOrdReltdBillgStatus"] = billing
    assert sales_order_from_sap(raw, SOURCE, DEFAULTS).status is expected


def test_unknown_status_code_is_an_error() -> None:
    raw = clone(SALES_ORDER)
    raw["OverallTotalDeliveryStatus"] = "X"
    with pytest.raises(ValueError, match="status code"):
        sales_order_from_sap(raw, SOURCE, DEFAULTS)


def test_order_currency_falls_back_to_the_default() -> None:
    raw = clone(SALES_ORDER)
    raw["TransactionCurrency"] = ""
    for item in raw["to_Item"]["results"]:
        item["TransactionCurrency"] = ""
    order = sales_order_from_sap(raw, SOURCE, SapDefaults(currency="USD"))
    assert order.net_amount.currency == "USD"
    assert order.lines[0].net_amount == Money(amount=Decimal("100.00"), currency="USD")


def test_draft_to_deep_insert_body() -> None:
    draft = SalesOrderDraft(
        customer_native_id="17100001",
        external_reference="PO-1",
        lines=(
            OrderLineDraft(sku="TG11", quantity=Decimal("2")),
            OrderLineDraft(sku="TG12", quantity=Decimal("1E+1"), unit="PC", location="1010/0001"),
        ),
    )
    assert sales_order_body(draft, DEFAULTS) == {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "17100001",
        "PurchaseOrderByCustomer": "PO-1",
        "to_Item": {
            "results": [
                {"Material": "TG11", "RequestedQuantity": "2"},
                {
                    "Material": "TG12",
                    "RequestedQuantity": "10",
                    "RequestedQuantityUnit": "PC",
                    "ProductionPlant": "1010",
                    "StorageLocation": "0001",
                },
            ]
        },
    }


def test_draft_with_a_malformed_location_is_refused() -> None:
    draft = SalesOrderDraft(
        customer_native_id="1", lines=(OrderLineDraft(sku="A", quantity=1, location="1/2/3"),)
    )
    with pytest.raises(ValueError, match="location"):
        sales_order_body(draft, DEFAULTS)


def test_open_order_items() -> None:
    raw = clone(SALES_ORDER)
    items = raw["to_Item"]["results"]
    items[0]["DeliveryStatus"] = "C"
    items.append({**items[1], "SalesOrderItem": "30", "DeliveryStatus": "B"})
    items.append({**items[1], "SalesOrderItem": "40", "DeliveryStatus": ""})
    assert open_order_items(raw) == ["10", "30"]
    assert delivery_body("4711", ["10", "30"]) == {
        "to_DeliveryDocumentItem": {
            "results": [
                {"ReferenceSDDocument": "4711", "ReferenceSDDocumentItem": "10"},
                {"ReferenceSDDocument": "4711", "ReferenceSDDocumentItem": "30"},
            ]
        }
    }


def test_delivery() -> None:
    delivery = delivery_from_sap(DELIVERY, SOURCE)
    assert delivery.id == "s4:80000001"
    assert delivery.customer_id == "s4:17100001"
    assert delivery.order_ids == ("s4:4711",)
    assert delivery.goods_issued is False
    assert delivery.goods_issue_date is None
    assert delivery.created_at == dt.datetime(2024, 3, 6, tzinfo=dt.UTC)
    line = delivery.lines[0]
    assert line.sku == "TG11"
    assert line.quantity == Quantity(value=Decimal("2.000"), unit="PC")
    assert line.location == "1010/0001"
    assert line.order_id == "s4:4711"
    assert line.order_line == "10"


def test_delivery_after_goods_issue() -> None:
    raw = clone(DELIVERY)
    raw["OverallGoodsMovementStatus"] = "C"
    raw["ActualGoodsMovementDate"] = "/Date(1709769600000)/"
    delivery = delivery_from_sap(raw, SOURCE)
    assert delivery.goods_issued is True
    assert delivery.goods_issue_date == dt.date(2024, 3, 7)


def test_invoice() -> None:
    invoice = invoice_from_sap(BILLING_DOCUMENT, SOURCE, DEFAULTS)
    assert invoice.id == "s4:90000001"
    assert invoice.customer_id == "s4:17100001"
    assert invoice.order_ids == ("s4:4711",)
    assert invoice.invoice_date == dt.date(2024, 3, 7)
    assert invoice.net_amount == Money(amount=Decimal("150.00"), currency="EUR")
    assert invoice.tax_amount == Money(amount=Decimal("28.50"), currency="EUR")
    assert invoice.gross_amount == Money(amount=Decimal("178.50"), currency="EUR")
    assert invoice.status is InvoiceStatus.POSTED
    assert sum(line.net_amount.amount for line in invoice.lines) == invoice.net_amount.amount
    line = invoice.lines[0]
    assert line.order_id == "s4:4711"
    assert line.delivery_id == "s4:80000001"
    assert line.tax_amount == Money(amount=Decimal("19.00"), currency="EUR")


@pytest.mark.parametrize(
    ("posting", "cancelled", "expected"),
    [
        ("C", False, InvoiceStatus.POSTED),
        ("A", False, InvoiceStatus.DRAFT),
        ("", False, InvoiceStatus.DRAFT),
        ("C", True, InvoiceStatus.CANCELLED),
    ],
)
def test_invoice_status(posting: str, cancelled: bool, expected: InvoiceStatus) -> None:
    raw = clone(BILLING_DOCUMENT)
    raw["AccountingPostingStatus"] = posting
    raw["BillingDocumentIsCancelled"] = cancelled
    assert invoice_from_sap(raw, SOURCE, DEFAULTS).status is expected


def test_order_related_billing_has_no_delivery_reference() -> None:
    raw = clone(BILLING_DOCUMENT)
    for item in raw["to_Item"]["results"]:
        item["ReferenceSDDocument"] = "4711"
    invoice = invoice_from_sap(raw, SOURCE, DEFAULTS)
    assert all(line.delivery_id is None for line in invoice.lines)


def test_missing_required_property_is_an_error() -> None:
    raw = clone(SALES_ORDER)
    del raw["SoldToParty"]
    with pytest.raises(KeyError):
        sales_order_from_sap(raw, SOURCE, DEFAULTS)
