"""Business Central payloads (shaped as Microsoft documents them) mapped to the canonical model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from system_apis.business_central import mapping
from system_apis.business_central.errors import error_from_response
from system_apis.contracts import errors
from system_apis.contracts.models import (
    DocumentStatus,
    InvoiceStatus,
    Money,
    OrderStatus,
    Source,
)
from system_apis.contracts.people import EmploymentStatus
from tests.unit.business_central.bc_payloads import (
    ANALYTICS_LEDGER,
    BLUE,
    CUSTOMER,
    EMPLOYEE,
    INVOICE,
    ITEM,
    SHIPMENT,
    order_line,
    sales_order,
)

SOURCE = Source(connection="BC01", erp="business_central")
LOCATIONS = {BLUE: "BLUE"}


def test_a_customer_keeps_its_number_address_and_credit_limit_only_when_asked() -> None:
    plain = mapping.customer(SOURCE, CUSTOMER, "GBP")
    assert (plain.id, plain.native_id, plain.name) == ("BC01:10000", "10000", "Adatum Corporation")
    assert plain.is_organization
    assert not plain.blocked
    assert plain.address is not None
    assert (plain.address.city, plain.address.region, plain.address.country) == (
        "Atlanta",
        "GA",
        "US",
    )
    assert plain.changed_at == dt.datetime(2020, 8, 21, 0, 24, 13, 380000, tzinfo=dt.UTC)
    assert plain.credit_limit is None
    limited = mapping.customer(SOURCE, CUSTOMER, "GBP", with_credit=True)
    assert limited.credit_limit is not None
    assert limited.credit_limit.amount == Money(amount=Decimal(2500), currency="USD")


def test_a_customer_blocked_for_everything_is_blocked_and_zero_credit_is_no_limit() -> None:
    row = {**CUSTOMER, "blocked": "All", "creditLimit": 0, "type": "Person", "currencyCode": ""}
    customer = mapping.customer(SOURCE, row, "GBP", with_credit=True)
    assert customer.blocked
    assert not customer.is_organization
    assert customer.credit_limit is None


def test_an_item_is_a_product_priced_in_the_local_currency() -> None:
    product = mapping.product(SOURCE, ITEM, "USD")
    assert (product.sku, product.name, product.base_unit) == ("1896-S", "ATHENS Desk", "PCS")
    assert product.product_group == "TABLE"
    assert product.list_price == Money(amount=Decimal("1000.8"), currency="USD")


def test_stock_per_location_sums_the_ledger_and_leaves_out_empty_levels() -> None:
    levels = mapping.inventory_levels(SOURCE, ANALYTICS_LEDGER)
    assert [(lv.sku, lv.location, lv.quantity.value) for lv in levels] == [
        ("1896-S", "BLUE", Decimal(6)),
        ("1900-S", "", Decimal(200)),
    ]
    assert levels[0].native_id == "1896-S@BLUE"
    assert levels[0].quantity.unit == "PCS"


def test_an_open_order_with_its_lines() -> None:
    order = mapping.sales_order(SOURCE, sales_order(order_line(10000)), "GBP", LOCATIONS)
    assert (order.id, order.number, order.customer_id) == ("BC01:101005", "101005", "BC01:10000")
    assert order.external_reference is None
    assert order.order_date == dt.date(2020, 4, 2)
    assert order.net_amount == Money(amount=Decimal("12009.6"), currency="USD")
    assert order.tax_amount == Money(amount=Decimal("720.58"), currency="USD")
    assert order.gross_amount == Money(amount=Decimal("12730.18"), currency="USD")
    assert (order.status, order.delivery_status, order.billing_status) == (
        OrderStatus.ORDERED,
        DocumentStatus.OPEN,
        DocumentStatus.OPEN,
    )
    [line] = order.lines
    assert (line.line_number, line.sku, line.quantity.value, line.location) == (
        "10000",
        "1896-S",
        Decimal(12),
        "BLUE",
    )


@pytest.mark.parametrize(
    ("shipped", "invoiced", "status", "delivery", "billing"),
    [
        ("4", "0", OrderStatus.PARTIALLY_SHIPPED, DocumentStatus.PARTIAL, DocumentStatus.OPEN),
        ("12", "0", OrderStatus.SHIPPED, DocumentStatus.COMPLETE, DocumentStatus.OPEN),
        ("12", "4", OrderStatus.SHIPPED, DocumentStatus.COMPLETE, DocumentStatus.PARTIAL),
        ("12", "12", OrderStatus.INVOICED, DocumentStatus.COMPLETE, DocumentStatus.COMPLETE),
    ],
)
def test_an_order_status_follows_shipped_and_invoiced_quantities(
    shipped: str,
    invoiced: str,
    status: OrderStatus,
    delivery: DocumentStatus,
    billing: DocumentStatus,
) -> None:
    line = order_line(10000, shippedQuantity=Decimal(shipped), invoicedQuantity=Decimal(invoiced))
    order = mapping.sales_order(SOURCE, sales_order(line), "GBP", LOCATIONS)
    assert (order.status, order.delivery_status, order.billing_status) == (
        status,
        delivery,
        billing,
    )


def test_a_posted_shipment_is_the_kth_delivery_of_its_order_without_comment_lines() -> None:
    delivery = mapping.shipment(SOURCE, SHIPMENT, 2)
    assert (delivery.native_id, delivery.number) == ("101001-2", "108001")
    assert delivery.goods_issued
    assert delivery.goods_issue_date == dt.date(2019, 1, 1)
    assert delivery.order_ids == ("BC01:101001",)
    assert [(ln.sku, ln.quantity.value) for ln in delivery.lines] == [("1896-S", Decimal(4))]
    assert mapping.parse_delivery_id(delivery.native_id) == ("101001", 2)
    assert mapping.parse_delivery_id("101001") is None


def test_quantities_to_ship_are_a_delivery_not_yet_posted() -> None:
    order = sales_order(
        order_line(10000, shipQuantity=Decimal(5)), order_line(20000, shipQuantity=Decimal(0))
    )
    pending = mapping.pending_shipment(SOURCE, order, 1, LOCATIONS)
    assert pending is not None
    assert (pending.native_id, pending.goods_issued) == ("101005-1", False)
    assert [(ln.line_number, ln.quantity.value, ln.location) for ln in pending.lines] == [
        ("10000", Decimal(5), "BLUE")
    ]
    nothing = sales_order(order_line(10000, shipQuantity=Decimal(0)))
    assert mapping.pending_shipment(SOURCE, nothing, 1, LOCATIONS) is None


def test_a_posted_invoice_names_its_order_and_its_amounts() -> None:
    invoice = mapping.invoice(SOURCE, INVOICE, "GBP")
    assert (invoice.id, invoice.status) == ("BC01:103001", InvoiceStatus.POSTED)
    assert invoice.order_ids == ("BC01:101005",)
    assert invoice.net_amount == Money(amount=Decimal("4003.2"), currency="GBP")
    assert invoice.gross_amount.amount == invoice.net_amount.amount + invoice.tax_amount.amount
    assert [(ln.sku, ln.order_id) for ln in invoice.lines] == [("1896-S", "BC01:101005")]
    draft = mapping.invoice(SOURCE, {**INVOICE, "status": "Draft", "orderNumber": ""}, "GBP")
    assert (draft.status, draft.order_ids) == (InvoiceStatus.DRAFT, ())


def test_an_employee_has_no_pay_data_in_api_v2() -> None:
    employee = mapping.employee(SOURCE, EMPLOYEE, "CRONUS USA, Inc.")
    assert (employee.personnel_number, employee.name, employee.job_title) == (
        "AH",
        "Annette Hill",
        "Secretary",
    )
    assert (employee.hire_date, employee.status) == (dt.date(2001, 6, 1), EmploymentStatus.ACTIVE)
    assert employee.salary is None
    assert employee.bank_account is None
    assert mapping.employee(SOURCE, {**EMPLOYEE, "status": "Terminated"}, "C").status is (
        EmploymentStatus.TERMINATED
    )


def _answer(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": f"{message}  CorrelationId:  1b2c."}}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "write", "expected"),
    [
        (_answer(404, "BadRequest_NotFound", "The Customer does not exist."), False,
         errors.NotFound),
        (_answer(412, "Request_EntityChanged", "Another user changed the record."), True,
         errors.Conflict),
        (_answer(401, "Authentication_InvalidCredentials", "The credentials are incorrect"),
         False, errors.AuthenticationFailed),
        (_answer(400, "Application_DialogException",
                 "You have insufficient quantity of Item 1896-S on inventory."), True,
         errors.InsufficientStock),
        (_answer(400, "BadRequest", "There is nothing to post."), True,
         errors.ValidationRejected),
        (_answer(503, "ServiceUnavailable", "Try later"), False, errors.Unavailable),
        (_answer(504, "GatewayTimeout", "Timed out"), True, errors.UnknownOutcome),
    ],
)  # fmt: skip
def test_error_answers_map_to_the_project_errors(
    response: httpx.Response, write: bool, expected: type[errors.ErpError]
) -> None:
    error = error_from_response(response, connection="BC01", write=write)
    assert type(error) is expected
    assert "CorrelationId" not in error.message
    assert error.connection == "BC01"


def test_too_many_requests_is_throttled_with_its_retry_after() -> None:
    response = _answer(429, "Application_TooManyRequests", "Rate limit exceeded", **{
        "Retry-After": "17"
    })  # fmt: skip
    error = error_from_response(response, connection="BC01", write=False)
    assert isinstance(error, errors.Throttled)
    assert error.retry_after == 17


def test_an_order_bc_deleted_after_posting_is_rebuilt_from_its_invoices() -> None:
    second = {
        **INVOICE,
        "number": "103002",
        "invoiceDate": "2020-08-25",
        "lastModifiedDateTime": "2020-08-25T09:00:00Z",
        "totalAmountExcludingTax": Decimal("8006.4"),
        "totalTaxAmount": Decimal("480.39"),
        "totalAmountIncludingTax": Decimal("8486.79"),
        "salesInvoiceLines": [
            {
                **INVOICE["salesInvoiceLines"][0],
                "quantity": Decimal(8),
                "netAmount": Decimal("8006.4"),
                "netTaxAmount": Decimal("480.39"),
            }
        ],
    }
    order = mapping.invoiced_order(SOURCE, "101005", [second, INVOICE], "GBP", LOCATIONS)
    assert (order.id, order.external_reference, order.customer_id) == (
        "BC01:101005",
        "GW-7f3a",
        "BC01:10000",
    )
    assert (order.status, order.delivery_status, order.billing_status) == (
        OrderStatus.INVOICED,
        DocumentStatus.COMPLETE,
        DocumentStatus.COMPLETE,
    )
    assert order.order_date == dt.date(2020, 8, 21)
    assert order.changed_at == dt.datetime(2020, 8, 25, 9, tzinfo=dt.UTC)
    assert order.net_amount == Money(amount=Decimal("12009.6"), currency="GBP")
    assert order.gross_amount == Money(amount=Decimal("12730.18"), currency="GBP")
    [line] = order.lines
    assert (line.line_number, line.sku, line.quantity.value) == ("10000", "1896-S", Decimal(12))
