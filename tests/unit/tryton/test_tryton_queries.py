"""Port filters → Tryton domains; the status domains select what the status mapping says."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from system_apis.contracts.models import DocumentStatus, OrderStatus
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.tryton import queries
from system_apis.tryton.mapping.status import (
    billing_status,
    closed_unfulfilled,
    delivery_status,
    order_status,
)

pytestmark = pytest.mark.unit

STATES = ("confirmed", "processing", "done")
SHIPMENT_STATES = ("none", "waiting", "partially shipped", "sent", "exception")
INVOICE_STATES = ("none", "pending", "awaiting payment", "partially paid", "paid", "exception")


def matches(record: dict[str, Any], domain: list[Any]) -> bool:
    """A small evaluator of the domain subset the status domains use."""
    if domain and domain[0] == "OR":
        return any(matches(record, [clause]) for clause in domain[1:])
    for clause in domain:
        if isinstance(clause, list):
            if not matches(record, clause):
                return False
            continue
        name, operator, value = clause
        actual = record[name]
        if operator == "=":
            ok = actual == value
        elif operator == "!=":
            ok = actual != value
        elif operator == "in":
            ok = actual in value
        else:
            assert operator == "not in"
            ok = actual not in value
        if not ok:
            return False
    return True


SALES = [
    {"state": s, "shipment_state": sh, "invoice_state": inv}
    for s, sh, inv in itertools.product(STATES, SHIPMENT_STATES, INVOICE_STATES)
]


@pytest.mark.parametrize("status", list(OrderStatus))
def test_order_status_domain_agrees_with_the_mapping(status: OrderStatus) -> None:
    domain = queries.order_status_domain(status)
    for sale in SALES:
        delivery = delivery_status(sale["state"], sale["shipment_state"])
        billing = billing_status(sale["shipment_state"], sale["invoice_state"])
        closed = closed_unfulfilled(sale["state"], sale["shipment_state"], sale["invoice_state"])
        assert matches(sale, domain) == (order_status(delivery, billing, closed) is status), sale


@pytest.mark.parametrize("status", list(DocumentStatus))
def test_delivery_status_domain_agrees_with_the_mapping(status: DocumentStatus) -> None:
    domain = queries.delivery_status_domain(status)
    for sale in SALES:
        expected = delivery_status(sale["state"], sale["shipment_state"]) is status
        assert matches(sale, domain) == expected, sale


def test_sales_order_domain() -> None:
    domain = queries.sales_order_domain(
        SalesOrderFilter(
            native_ids=["4", "4", " 5", "x"],
            customer_native_id="2",
            external_reference="PO-1",
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
        )
    )
    assert domain == [
        ("state", "in", ["confirmed", "processing", "done"]),
        ("id", "in", [4, 5]),
        ("party", "=", 2),
        ("reference", "=", "PO-1"),
        ("sale_date", ">=", dt.date(2026, 1, 1)),
        ("sale_date", "<=", dt.date(2026, 12, 31)),
    ]
    assert queries.sales_order_domain(SalesOrderFilter(customer_native_id="C-1")) is None


def test_customer_and_product_searches() -> None:
    customers = queries.customer_search(CustomerFilter(name_contains="50%_off"), [1])
    assert customers is not None
    assert customers.domain == [("id", "not in", [1]), ("name", "ilike", "%50\\%\\_off%")]
    assert customers.context == {}
    products = queries.product_search(ProductFilter(skus=["A", "A", "B"], product_group="Tools"))
    assert products is not None
    assert products.domain == [
        ("code", "!=", None),
        ("code", "in", ["A", "B"]),
        ("categories.name", "=", "Tools"),
    ]
    assert products.context == {"active_test": False}
    assert queries.product_search(ProductFilter(skus=[])) is None
    assert queries.customer_search(CustomerFilter(native_ids=["a"]), []) is None


def test_delivery_and_invoice_domains() -> None:
    assert queries.delivery_domain(DeliveryFilter(order_native_id="4")) == [
        ("state", "!=", "cancelled"),
        ("moves.sale", "in", [4]),
    ]
    assert queries.delivery_domain(DeliveryFilter(order_native_ids=["4", "SO-9", "7", "4"])) == [
        ("state", "!=", "cancelled"),
        ("moves.sale", "in", [4, 7]),
    ]
    assert queries.invoice_domain(InvoiceFilter(order_native_ids=["3", "5"])) == [
        ("type", "=", "out"),
        ("sales", "in", [3, 5]),
    ]
    assert (
        queries.invoice_domain(InvoiceFilter(order_native_id="3", order_native_ids=["5"])) is None
    )
    assert queries.delivery_domain(DeliveryFilter(order_native_ids=[])) is None
    assert queries.invoice_domain(
        InvoiceFilter(customer_native_id="2", date_from=dt.date(2026, 1, 1))
    ) == [("type", "=", "out"), ("party", "=", 2), ("invoice_date", ">=", dt.date(2026, 1, 1))]
    assert queries.invoice_domain(InvoiceFilter(native_ids=["INV-1"])) is None
    assert queries.stock_domain([]) is None
