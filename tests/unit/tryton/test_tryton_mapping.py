"""Tryton rows → canonical records, with rows a real trytond answered (see tryton_payloads)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from system_apis.contracts.models import (
    Address,
    DocumentStatus,
    InvoiceStatus,
    Money,
    OrderStatus,
    Source,
)
from system_apis.tryton.mapping.deliveries import delivery_from_tryton
from system_apis.tryton.mapping.drafts import (
    SALE_FIELDS,
    line_request,
    line_values,
    sale_values,
    values_of,
)
from system_apis.tryton.mapping.invoices import invoice_from_tryton
from system_apis.tryton.mapping.locations import matching, warehouses_from_tryton
from system_apis.tryton.mapping.partners import customer_from_tryton
from system_apis.tryton.mapping.products import product_from_tryton
from system_apis.tryton.mapping.sales import sales_order_from_tryton
from system_apis.tryton.mapping.status import billing_status, delivery_status, order_status
from system_apis.tryton.mapping.stock import inventory_from_tryton
from tests.unit.tryton.tryton_payloads import (
    CUSTOMERS,
    INVOICES,
    ON_CHANGE_PARTY,
    ON_CHANGE_PRODUCT,
    PRODUCTS,
    SALES,
    SHIPMENTS,
    STOCK,
    WAREHOUSES,
    result,
)

pytestmark = pytest.mark.unit

SOURCE = Source(connection="T1", erp="tryton")
UTC = dt.UTC


def test_customer() -> None:
    first, second = (customer_from_tryton(row, SOURCE) for row in result(CUSTOMERS))
    assert (first.id, first.native_id, first.name) == ("T1:2", "2", "Customer 01 GmbH")
    assert first.address == Address(
        street="Street 1", postal_code="10001", city="Berlin", country="DE"
    )
    assert first.created_at == dt.datetime(2026, 11, 23, 23, 39, 11, 532893, tzinfo=UTC)
    assert first.changed_at == first.created_at
    assert first.is_organization
    assert not first.blocked
    assert second.address is not None
    assert second.address.country == "FR"


def test_archived_party_without_address() -> None:
    row = {"id": 7, "name": "Gone", "active": 0, "addresses.": [], "create_date": None}
    customer = customer_from_tryton(row, SOURCE)
    assert customer.blocked
    assert customer.address is None


def test_products_are_known_by_code() -> None:
    product = product_from_tryton(result(PRODUCTS)[0], SOURCE, "EUR")
    assert (product.id, product.native_id, product.sku) == ("T1:SKU-001", "SKU-001", "SKU-001")
    assert product.name == "Widget 01"
    assert product.base_unit == "u"
    assert product.unit_decimals == 0
    assert product.product_type == "goods"
    assert product.list_price is not None
    assert product.list_price.amount == Decimal("11")
    assert product.list_price.currency == "EUR"
    assert product.product_group is None
    assert not product.deleted


def test_product_group_and_missing_price() -> None:
    row = dict(result(PRODUCTS)[0])
    row.update(
        {
            "list_price_used": None,
            "active": False,
            "categories.": [{"name": "Tools"}, {"name": "B"}],
            "default_uom.": {"symbol": "u", "id": 1},
        }
    )
    product = product_from_tryton(row, SOURCE, "EUR")
    assert product.unit_decimals is None  # a unit read without its digits is not checked
    assert product.list_price is None
    assert product.product_group == "B"
    assert product.deleted


def test_product_without_unit_is_an_error() -> None:
    row = dict(result(PRODUCTS)[0], **{"default_uom.": None})
    with pytest.raises(ValueError, match="unit"):
        product_from_tryton(row, SOURCE, "EUR")


def test_storage_locations_and_labels() -> None:
    (location,) = warehouses_from_tryton(result(WAREHOUSES))
    assert (location.warehouse_id, location.storage_id, location.label) == (5, 3, "WH/STO")
    assert matching([location], "WH/STO") == [location]
    assert matching([location], "WH") == [location]
    assert matching([location], "WH/OUT") == []
    assert matching([location], "STO") == []


def test_location_without_code_is_named() -> None:
    rows = [
        {"id": 9, "code": None, "name": "Annex", "storage_location.": {"id": 10, "name": "Hall"}}
    ]
    assert [loc.label for loc in warehouses_from_tryton(rows)] == ["Annex/Hall"]


def test_inventory_level() -> None:
    (location,) = warehouses_from_tryton(result(WAREHOUSES))
    level = inventory_from_tryton(result(STOCK)[0], location, SOURCE)
    assert (level.native_id, level.sku, level.location) == ("SKU-001@WH/STO", "SKU-001", "WH/STO")
    assert level.quantity.value == Decimal("101.0")
    assert level.quantity.unit == "u"


def test_sales_order_with_lines() -> None:
    order = sales_order_from_tryton(result(SALES)[0], SOURCE, None)
    assert (order.id, order.number, order.customer_id) == ("T1:4", "3", "T1:2")
    assert order.external_reference == "PO-1"
    assert order.order_date == dt.date(2026, 11, 23)
    assert order.net_amount.amount == Decimal("40.00")
    assert order.net_amount.currency == "EUR"
    assert order.tax_amount == Money(amount=Decimal("7.60"), currency="EUR")
    assert order.gross_amount == Money(amount=Decimal("47.60"), currency="EUR")
    assert order.status is OrderStatus.INVOICED
    assert order.delivery_status is DocumentStatus.COMPLETE
    assert order.billing_status is DocumentStatus.COMPLETE
    assert [line.line_number for line in order.lines] == ["3", "4"]
    first = order.lines[0]
    assert (first.sku, first.quantity.value, first.quantity.unit) == (
        "SKU-003",
        Decimal("2.0"),
        "u",
    )
    assert first.net_amount is not None
    assert first.net_amount.amount == Decimal("26.00")
    assert first.tax_amount is None  # Tryton taxes the sale, not each line
    assert first.location == "WH/STO"


def test_sale_read_without_tax_fields_has_no_tax() -> None:
    row = copy.deepcopy(result(SALES)[0])
    del row["tax_amount"], row["total_amount"]
    order = sales_order_from_tryton(row, SOURCE, None)
    assert (order.tax_amount, order.gross_amount) == (None, None)
    assert order.net_amount.amount == Decimal("40.00")


def test_comment_lines_are_not_order_lines() -> None:
    row = copy.deepcopy(result(SALES)[0])
    row["lines."].append({"id": 9, "type": "comment", "description": "Fragile", "quantity": None})
    assert len(sales_order_from_tryton(row, SOURCE, None).lines) == 2


@pytest.mark.parametrize(
    ("state", "shipment", "invoice", "delivery", "billing", "status"),
    [
        ("confirmed", "none", "none", "open", "not_relevant", "ordered"),
        ("processing", "waiting", "none", "open", "not_relevant", "ordered"),
        ("processing", "waiting", "pending", "open", "open", "ordered"),
        ("processing", "partially shipped", "none", "partial", "open", "partially_shipped"),
        ("processing", "partially shipped", "awaiting payment", "partial", "partial",
         "partially_shipped"),
        ("processing", "sent", "none", "complete", "open", "shipped"),
        ("processing", "sent", "pending", "complete", "open", "shipped"),
        ("processing", "sent", "awaiting payment", "complete", "complete", "invoiced"),
        ("done", "sent", "paid", "complete", "complete", "invoiced"),
        ("processing", "waiting", "awaiting payment", "open", "complete", "invoiced"),
        ("done", "none", "paid", "not_relevant", "complete", "invoiced"),
        ("processing", "exception", "none", "open", "not_relevant", "ordered"),
    ],
)  # fmt: skip
def test_statuses(
    state: str, shipment: str, invoice: str, delivery: str, billing: str, status: str
) -> None:
    got_delivery = delivery_status(state, shipment)
    got_billing = billing_status(shipment, invoice)
    assert (got_delivery, got_billing) == (DocumentStatus(delivery), DocumentStatus(billing))
    assert order_status(got_delivery, got_billing) is OrderStatus(status)


def test_sale_without_currency_needs_a_default() -> None:
    row = dict(result(SALES)[0], **{"currency.": None})
    assert sales_order_from_tryton(row, SOURCE, "USD").net_amount.currency == "USD"
    with pytest.raises(ValueError, match="currency"):
        sales_order_from_tryton(row, SOURCE, None)


def test_delivery() -> None:
    delivery = delivery_from_tryton(result(SHIPMENTS)[0], SOURCE)
    assert (delivery.id, delivery.number, delivery.customer_id) == ("T1:3", "3", "T1:2")
    assert delivery.order_ids == ("T1:4",)
    assert delivery.goods_issued
    assert delivery.goods_issue_date == dt.date(2026, 11, 23)
    line = delivery.lines[0]
    assert (line.line_number, line.sku, line.order_id, line.order_line) == (
        "25",
        "SKU-003",
        "T1:4",
        "3",
    )
    assert line.location == "WH/STO"


def test_waiting_delivery_and_cancelled_moves() -> None:
    row: dict[str, Any] = copy.deepcopy(result(SHIPMENTS)[0])
    row.update({"state": "waiting", "number": None})
    row["outgoing_moves."][1]["state"] = "cancelled"
    delivery = delivery_from_tryton(row, SOURCE)
    assert not delivery.goods_issued
    assert delivery.goods_issue_date is None
    assert delivery.number == "3"
    assert len(delivery.lines) == 1


def test_invoice() -> None:
    invoice = invoice_from_tryton(result(INVOICES)[0], SOURCE, None)
    assert (invoice.id, invoice.number, invoice.customer_id) == ("T1:2", "2", "T1:2")
    assert invoice.order_ids == ("T1:4",)
    assert invoice.status is InvoiceStatus.POSTED
    assert invoice.invoice_date == dt.date(2026, 11, 23)
    assert (invoice.net_amount.amount, invoice.tax_amount.amount, invoice.gross_amount.amount) == (
        Decimal("40.00"),
        Decimal("7.60"),
        Decimal("47.60"),
    )
    line = invoice.lines[0]
    assert (line.sku, line.order_id, line.delivery_id) == ("SKU-003", "T1:4", "T1:3")
    assert line.net_amount.amount == Decimal("26.00")


def test_draft_invoice_without_number_or_date() -> None:
    row = dict(result(INVOICES)[0], state="draft", number=None, invoice_date=None, sales=[4, 5])
    invoice = invoice_from_tryton(row, SOURCE, None)
    assert invoice.status is InvoiceStatus.DRAFT
    assert invoice.number == "2"
    assert invoice.invoice_date == dt.date(2026, 11, 23)
    assert invoice.order_ids == ("T1:4", "T1:5")
    assert invoice.lines[0].order_id is None


def test_unknown_invoice_state_is_an_error() -> None:
    with pytest.raises(ValueError, match="state"):
        invoice_from_tryton(dict(result(INVOICES)[0], state="odd"), SOURCE, None)


def test_new_sale_values_from_on_change_answers() -> None:
    header = values_of(result(ON_CHANGE_PARTY), SALE_FIELDS)
    assert header == {
        "shipment_address": 2,
        "invoice_address": 2,
        "invoice_method": "fulfillment",
        "currency": 1,
        "company": 1,
        "invoice_party": None,
        "shipment_method": "order",
        "party": 2,
        "shipment_party": None,
        "warehouse": 5,
        "payment_term": 10,
    }
    request = line_request(header, 3, Decimal("2"), None)
    assert request["quantity"] == 2.0
    assert request["_parent_sale.party"] == 2
    line = line_values(request, result(ON_CHANGE_PRODUCT))
    assert line == {
        "type": "line",
        "product": 3,
        "quantity": 2.0,
        "unit": 1,
        "unit_price": Decimal("13.0000"),
        "taxes": [["add", [1]]],
    }
    values = sale_values(header, [line], "PO-9")
    assert values["reference"] == "PO-9"
    assert values["lines"] == [["create", [line]]]
