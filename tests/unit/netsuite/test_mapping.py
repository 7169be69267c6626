"""SuiteQL rows to the canonical model, with rows shaped as Oracle documents SuiteQL answers
(``POST /services/rest/query/v1/suiteql``): each item has ``links: []``, lower-case column
names or aliases, every value as text, null columns left out; sales transaction lines with
the ledger's negative quantities and amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from system_apis.contracts.models import DocumentStatus, InvoiceStatus, OrderStatus, Source
from system_apis.contracts.people import EmployeeDetail, EmploymentStatus, PayPeriod
from system_apis.netsuite.mapping import (
    customer_from_row,
    delivery_from_rows,
    invoice_from_rows,
    level_from_row,
    order_from_rows,
    product_from_row,
)
from system_apis.netsuite.people import employee_from_row

SOURCE = Source(connection="NS01", erp="netsuite")


def test_a_company_customer_with_its_billing_address() -> None:
    row = {
        "links": [],
        "id": "1235",
        "entityid": "CUST00042",
        "companyname": "Wolfe Electronics",
        "isperson": "F",
        "isinactive": "F",
        "addr1": "2955 Campus Drive",
        "city": "San Mateo",
        "state": "CA",
        "zip": "94403",
        "country": "US",
        "created": "2025-03-14 09:26:53",
        "changed": "2026-11-30 17:02:11",
    }
    customer = customer_from_row(row, SOURCE, ZoneInfo("America/Los_Angeles"))
    assert (customer.id, customer.name, customer.is_organization) == (
        "NS01:1235",
        "Wolfe Electronics",
        True,
    )
    assert customer.address is not None
    assert (customer.address.city, customer.address.region, customer.address.country) == (
        "San Mateo",
        "CA",
        "US",
    )
    # Pacific time in the account's preferences: 17:02 PST is 01:02 UTC the next day.
    assert customer.changed_at == dt.datetime(2026, 12, 1, 1, 2, 11, tzinfo=dt.UTC)
    assert customer.credit_limit is None


def test_a_person_without_address_and_with_a_credit_limit_on_hold() -> None:
    row = {
        "links": [],
        "id": "77",
        "isperson": "T",
        "firstname": "Maria",
        "lastname": "Lopez",
        "isinactive": "T",
        "creditlimit": "12500",
        "creditholdoverride": "ON",
        "creditcurrency": "USD",
    }
    customer = customer_from_row(row, SOURCE)
    assert (customer.name, customer.is_organization, customer.blocked) == (
        "Maria Lopez",
        False,
        True,
    )
    assert customer.address is None
    assert customer.credit_limit is not None
    assert customer.credit_limit.amount.amount == Decimal("12500")
    assert customer.credit_limit.blocked is True


def test_an_inventory_item_and_its_level() -> None:
    item = {
        "links": [],
        "id": "210",
        "itemid": "NS-1011",
        "displayname": "Hex Bolt M8",
        "itemtype": "InvtPart",
        "isinactive": "F",
        "classname": "Fasteners",
        "weight": "0.35",
        "weightunit": "lb",
        "unitprice": "12.5",
        "currency": "USD",
    }
    product = product_from_row(item, SOURCE)
    assert (product.native_id, product.sku, product.base_unit) == ("NS-1011", "NS-1011", "EA")
    assert product.list_price is not None
    assert product.list_price.amount == Decimal("12.5")
    assert product.gross_weight is not None
    assert (product.gross_weight.value, product.gross_weight.unit) == (Decimal("0.35"), "LB")
    level = level_from_row(
        {"links": [], "itemid": "NS-1011", "location": "WH/Boston", "quantityonhand": "118"},
        SOURCE,
    )
    assert (level.native_id, level.location, level.quantity.value) == (
        "NS-1011@WH/Boston",
        "WH/Boston",
        Decimal(118),
    )


HEADER = {
    "links": [],
    "id": "4567",
    "tranid": "SO1021",
    "entity": "1235",
    "externalid": "GW-7f3a",
    "currency": "USD",
    "trandate": "2026-12-01",
    "created": "2026-12-01 10:15:00",
    "changed": "2026-12-01 10:15:00",
}
ORDER_LINES = [
    {"links": [], "transaction": "4567", "linesequencenumber": "1", "itemid": "NS-1011",
     "quantity": "-3", "netamount": "-37.5", "location": "WH/Boston"},
    {"links": [], "transaction": "4567", "linesequencenumber": "2", "itemid": "NS-1012",
     "quantity": "-1", "netamount": "-9.99"},
    {"links": [], "transaction": "9999", "linesequencenumber": "1", "itemid": "NS-1013",
     "quantity": "-1", "netamount": "-1"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("B", (OrderStatus.ORDERED, DocumentStatus.OPEN, DocumentStatus.NOT_RELEVANT)),
        ("E", (OrderStatus.PARTIALLY_SHIPPED, DocumentStatus.PARTIAL, DocumentStatus.OPEN)),
        ("F", (OrderStatus.SHIPPED, DocumentStatus.COMPLETE, DocumentStatus.OPEN)),
        ("G", (OrderStatus.INVOICED, DocumentStatus.COMPLETE, DocumentStatus.COMPLETE)),
        ("C", (OrderStatus.CANCELLED, DocumentStatus.NOT_RELEVANT, DocumentStatus.NOT_RELEVANT)),
    ],
)
def test_a_sales_order_with_its_lines_and_status(
    status: str, expected: tuple[OrderStatus, DocumentStatus, DocumentStatus]
) -> None:
    order = order_from_rows({**HEADER, "status": status}, ORDER_LINES, SOURCE)
    assert (order.status, order.delivery_status, order.billing_status) == expected
    assert (order.number, order.customer_id, order.external_reference) == (
        "SO1021",
        "NS01:1235",
        "GW-7f3a",
    )
    assert [(line.sku, line.quantity.value, line.location) for line in order.lines] == [
        ("NS-1011", Decimal(3), "WH/Boston"),
        ("NS-1012", Decimal(1), None),
    ]
    assert order.net_amount.amount == Decimal("47.49")


def test_an_order_s_tax_is_its_taxtotal() -> None:
    order = order_from_rows({**HEADER, "status": "B", "taxtotal": "2.72"}, ORDER_LINES, SOURCE)
    assert order.tax_amount is not None
    assert order.gross_amount is not None
    assert (order.tax_amount.amount, order.gross_amount.amount) == (
        Decimal("2.72"),
        Decimal("50.21"),
    )
    untold = order_from_rows({**HEADER, "status": "B", "taxtotal": None}, ORDER_LINES, SOURCE)
    assert (untold.tax_amount, untold.gross_amount) == (None, None)


def test_a_shipped_fulfillment_names_its_order() -> None:
    header = {**HEADER, "id": "4570", "tranid": "IF88", "status": "C", "trandate": "2026-12-02"}
    lines = [
        {"links": [], "transaction": "4570", "linesequencenumber": "1", "itemid": "NS-1011",
         "quantity": "-3", "location": "WH/Boston", "orderid": "4567", "orderline": "1"},
    ]  # fmt: skip
    delivery = delivery_from_rows(header, lines, SOURCE)
    assert (delivery.goods_issued, delivery.goods_issue_date) == (True, dt.date(2026, 12, 2))
    assert delivery.order_ids == ("NS01:4567",)
    assert delivery.lines[0].quantity.value == Decimal(3)
    picked = delivery_from_rows({**header, "status": "A"}, lines, SOURCE)
    assert (picked.goods_issued, picked.goods_issue_date) == (False, None)


def test_an_invoice_paid_in_full() -> None:
    header = {**HEADER, "id": "4580", "tranid": "INV301", "status": "B", "taxtotal": "3.44"}
    lines = [
        {"links": [], "transaction": "4580", "linesequencenumber": "1", "itemid": "NS-1012",
         "quantity": "-1", "netamount": "-9.99", "orderid": "4567"},
        {"links": [], "transaction": "4580", "linesequencenumber": "2", "itemid": "NS-1011",
         "quantity": "-3", "netamount": "-37.5", "orderid": "4567"},
    ]  # fmt: skip
    invoice = invoice_from_rows(header, lines, SOURCE)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.order_ids == ("NS01:4567",)
    assert (invoice.net_amount.amount, invoice.tax_amount.amount, invoice.gross_amount.amount) == (
        Decimal("47.49"),
        Decimal("3.44"),
        Decimal("50.93"),
    )


def test_an_order_without_a_date_is_not_read() -> None:
    header = {key: value for key, value in HEADER.items() if key != "trandate"}
    with pytest.raises(ValueError, match="no date"):
        order_from_rows({**header, "status": "B"}, ORDER_LINES, SOURCE)


EMPLOYEE = {
    "links": [],
    "id": "905",
    "entityid": "EMP-905",
    "firstname": "Logan",
    "lastname": "Moore",
    "title": "Warehouse Lead",
    "department": "Operations",
    "subsidiary": "1",
    "hiredate": "2021-04-19",
    "isinactive": "F",
    "basewage": "27.5",
    "basewagetype": "Hourly",
    "currency": "USD",
    "accountnumber": "4401922713",
    "routingnumber": "121000248",
    "bankname": "Wells Fargo",
    "bankcountry": "US",
}


def test_an_employee_shows_pay_and_bank_only_when_asked() -> None:
    plain = employee_from_row(EMPLOYEE, SOURCE, frozenset())
    assert (plain.salary, plain.bank_account) == (None, None)
    assert (plain.personnel_number, plain.company, plain.status) == (
        "EMP-905",
        "1",
        EmploymentStatus.ACTIVE,
    )
    full = employee_from_row(EMPLOYEE, SOURCE, frozenset(EmployeeDetail))
    assert full.salary is not None
    assert (full.salary.amount.amount, full.salary.period) == (Decimal("27.5"), PayPeriod.HOURLY)
    assert full.bank_account is not None
    assert (full.bank_account.account_number, full.bank_account.bank_code) == (
        "4401922713",
        "121000248",
    )
    assert full.bank_account.masked == "******2713"


def test_a_released_employee_is_terminated() -> None:
    released = employee_from_row(
        {**EMPLOYEE, "releasedate": "2026-10-31", "isinactive": "T"}, SOURCE, frozenset()
    )
    assert released.status is EmploymentStatus.TERMINATED
