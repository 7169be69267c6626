"""Compact answers: what an agent reads is only what the answer says, in few tokens."""

from __future__ import annotations

import json

from experience_api.mcp.compact import instant, number, records_doc, render, to_doc
from experience_api.mcp.tokens import o200k

ORDERS = [
    {
        "__typename": "SalesOrder",
        "id": "EU01:4711",
        "number": "4711",
        "orderDate": "2026-11-02",
        "netAmount": {"amount": "1250.00", "currency": "EUR"},
        "status": "ORDERED",
        "externalReference": None,
        "lines": [],
    },
    {
        "id": "EU01:4712",
        "number": "4712",
        "orderDate": "2026-11-03",
        "netAmount": {"amount": "80.50", "currency": "EUR"},
        "status": "SHIPPED",
        "externalReference": "PO-9",
        "lines": [],
    },
]


def test_a_list_is_one_header_and_a_row_per_record() -> None:
    text = render(records_doc("salesOrders", ORDERS, total=2))

    assert text.splitlines() == [
        "total: 2",
        "[salesOrders] EUR",
        "id(EU01:)|number|orderDate(2026-)|netAmount|status|externalReference",
        "4711|4711|11-02|1250|ORDERED|",
        "4712|4712|11-03|80.5|SHIPPED|PO-9",
    ]


def test_no_nulls_no_empty_lists_no_typename() -> None:
    text = render(to_doc({"__typename": "X", "a": None, "b": [], "c": {}, "d": "kept"}))

    assert text == "d: kept"


def test_currencies_that_differ_stay_with_each_amount() -> None:
    rows = [
        {"id": "1", "net": {"amount": "10.00", "currency": "EUR"}},
        {"id": "2", "net": {"amount": "12.00", "currency": "USD"}},
    ]

    text = render(records_doc("invoices", rows))

    assert "1|10 EUR" in text
    assert "2|12 USD" in text
    assert "[invoices]\n" in text + "\n"


def test_a_shared_unit_is_named_once_in_its_column() -> None:
    rows = [{"sku": "A", "quantity": {"value": "5.000", "unit": "PC"}}]

    assert render(records_doc("stock", rows)).splitlines()[1:] == ["sku|quantity(PC)", "A|5"]


def test_nested_lists_follow_their_record_indented() -> None:
    order = {"id": "EU01:1", "lines": [{"sku": "A", "n": 1}, {"sku": "B", "n": 2}]}

    text = render(records_doc("orders", [order]))

    assert text.splitlines() == [
        "[orders]",
        "id",
        "EU01:1",
        "  [lines]",
        "  sku|n",
        "  A|1",
        "  B|2",
    ]


def test_cells_holding_a_separator_are_quoted() -> None:
    text = render(records_doc("t", [{"name": "A|B, C"}, {"name": " padded"}]))

    assert text.splitlines()[2:] == ['"A|B, C"', '" padded"']


def test_what_every_row_shares_is_said_once() -> None:
    rows = [
        {"id": f"EU01:{n}", "status": "ACTIVE" if n % 5 else "TERMINATED", "company": "1010"}
        for n in range(1, 7)
    ]

    assert render(records_doc("staff", rows)).splitlines() == [
        "[staff] company=1010",
        "id(EU01:)|status(blank=ACTIVE)",
        "1|",
        "2|",
        "3|",
        "4|",
        "5|TERMINATED",
        "6|",
    ]


def test_one_currency_and_one_connection_for_a_whole_answer() -> None:
    order = {
        "id": "EU01:7",
        "net": {"amount": "10.00", "currency": "EUR"},
        "lines": [{"sku": "A", "net": {"amount": "10.00", "currency": "EUR"}}],
        "deliveries": [{"id": "EU01:80"}],
        "invoices": [{"id": "EU01:90", "gross": {"amount": "11.90", "currency": "EUR"}}],
    }

    assert render(to_doc(order)).splitlines() == [
        "currency: EUR",
        "ids: EU01:",
        "id: 7",
        "net: 10",
        "[lines]",
        "sku|net",
        "A|10",
        "[deliveries]",
        "id",
        "80",
        "[invoices]",
        "id|gross",
        "90|11.9",
    ]


def test_numbers_and_instants_in_their_shortest_exact_form() -> None:
    assert [number(v) for v in ("1250.00", "0.50", "-0.0", "12", 3.0, 2.25)] == [
        "1250",
        "0.5",
        "0",
        "12",
        "3",
        "2.25",
    ]
    assert instant("2026-11-02T10:15:00+00:00") == "2026-11-02T10:15Z"
    assert instant("2026-11-02T10:15:30.500000+01:00") == "2026-11-02T10:15:30.5+01:00"
    assert instant("2026-11-02") == "2026-11-02"
    assert number("SKU-001") == "SKU-001"


def test_a_table_costs_well_under_half_the_json_of_the_same_records() -> None:
    records = [{**ORDERS[0], "id": f"EU01:{n}", "number": str(n), "lines": None} for n in range(30)]
    as_json = json.dumps({"data": {"salesOrders": {"nodes": records}}}, indent=None)

    assert o200k(render(records_doc("salesOrders", records))) * 2 < o200k(as_json)
