"""Reads through indexes answer exactly what reading every row answers, and stay right as
rows are written and transactions roll back."""

from __future__ import annotations

import pytest

from erp_sandbox.odata.edm import EntitySet, Property
from erp_sandbox.odata.filter import parse_filter
from erp_sandbox.odata.filter_plans import equalities, seek
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.odata.query import QueryOptions
from erp_sandbox.odata.reader import filtered_rows, following, select_rows
from erp_sandbox.sap.store import Store
from tests.unit.sandbox.test_filter import ORDER, ROWS

ORDERS = EntitySet("Orders", ORDER)

FILTERS = [
    "Order eq '10'",
    "Order eq '0000000010'",
    "Customer eq 'C1'",
    "Customer eq ''",
    "Customer eq 'C1' and Amount gt 5",
    "Amount gt 5 and Customer eq 'C2'",
    "Customer eq 'C1' or Customer eq 'C2'",
    "Order eq '9' or Order eq '11' or Order eq '404'",
    "Customer eq 'C1' or Order eq '10'",
    "Customer ne 'C1'",
    "'C2' eq Customer",
    "not (Customer eq 'C1')",
    "Customer eq 'C1' and (Order eq '9' or Order eq '11')",
    "tolower(Name) eq 'müller & co'",
]


@pytest.fixture
def store() -> Store:
    store = Store(None)
    with store.write() as tx:
        for row in ROWS:
            tx.put("Orders", (row["Order"],), row)
    return store


@pytest.mark.parametrize("text", FILTERS)
def test_a_filter_read_through_an_index_finds_what_a_full_scan_finds(
    store: Store, text: str
) -> None:
    options = QueryOptions(filter=parse_filter(text, ORDER))
    scanned = select_rows(ORDER, store.rows("Orders"), options)
    assert filtered_rows(store, ORDERS, options) == scanned


def test_only_plain_equalities_name_the_rows_to_read() -> None:
    named = equalities(parse_filter("Customer eq 'C1' or Customer eq 'C2'", ORDER))
    assert named is not None
    assert (named[0].name, named[1]) == ("Customer", ("C1", "C2"))
    alpha = equalities(parse_filter("Order eq '10'", ORDER))
    assert alpha is not None
    assert alpha[1] == ("0000000010",)
    for text in ("Customer ne 'C1'", "Customer eq 'C1' or Order eq '10'", "Amount eq 10"):
        assert equalities(parse_filter(text, ORDER)) is None


def test_an_index_follows_writes_and_forgets_a_rolled_back_one(store: Store) -> None:
    by_customer = RowIndex.stored(["Customer"])
    assert [r["Order"] for r in store.find("Orders", by_customer, [("C1",)])] == ["9"]
    with store.write() as tx:
        moved = tx.get("Orders", ("9",))
        assert moved is not None
        tx.put("Orders", ("9",), {**moved, "Customer": "C2"})
        tx.put("Orders", ("12",), {**moved, "Order": "12", "Customer": "C1"})
    assert [r["Order"] for r in store.find("Orders", by_customer, [("C1",)])] == ["12"]
    assert sorted(r["Order"] for r in store.find("Orders", by_customer, [("C2",)])) == ["11", "9"]
    seen_inside: list[int] = []

    def refused_write() -> None:
        with store.write() as tx:
            tx.put("Orders", ("13",), {**moved, "Order": "13", "Customer": "C1"})
            seen_inside.append(len(tx.find("Orders", by_customer, [("C1",)])))
            raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused_write()
    assert seen_inside == [2]
    assert [r["Order"] for r in store.find("Orders", by_customer, [("C1",)])] == ["12"]


def test_rows_found_are_copies(store: Store) -> None:
    found = store.find("Orders", RowIndex.stored(["Customer"]), [("C1",)])
    found[0]["Customer"] = "changed"
    assert store.find("Orders", RowIndex.stored(["Customer"]), [("changed",)]) == []


def _ordered(text: str) -> list[tuple[Property, bool]]:
    return [(ORDER.property(name.split()[0]), name.endswith(" desc")) for name in text.split(",")]


@pytest.mark.parametrize(
    ("orderby", "position"),
    [
        ("Customer,Order", {"Customer": "C1", "Order": "9"}),
        ("Customer,Order", {"Customer": "", "Order": "10"}),
        ("Order", {"Order": "9"}),
    ],
)
def test_a_read_after_a_position_seeks_where_a_full_scan_starts(
    store: Store, orderby: str, position: dict[str, str]
) -> None:
    order = _ordered(orderby)
    alternatives = []
    for index, (prop, descending) in enumerate(order):
        same = [f"{p.name} eq '{position[p.name]}'" for p, _ in order[:index]]
        step = f"{prop.name} {'lt' if descending else 'gt'} '{position[prop.name]}'"
        alternatives.append("(" + " and ".join([*same, step]) + ")")
    text = "Amount gt 1 and (" + " or ".join(alternatives) + ")"
    expression = parse_filter(text, ORDER)
    found = seek(expression, order)
    assert found is not None
    rest, at = found
    assert at == position
    assert rest is not None
    rest_rows = select_rows(ORDER, store.rows("Orders"), QueryOptions(filter=rest, orderby=order))
    scanned = select_rows(
        ORDER, store.rows("Orders"), QueryOptions(filter=expression, orderby=order)
    )
    assert following(rest_rows, expression) == scanned


def test_only_a_clause_of_the_read_order_is_a_position() -> None:
    order = _ordered("Customer,Order")
    for text in (
        "Customer gt 'C1' or (Customer eq 'C1' and Order lt '9')",  # Order is ascending
        "Customer gt 'C1' or (Customer eq 'C2' and Order gt '9')",  # another position
        "Customer gt 'C1'",  # not the whole order
        "Order gt '9' or (Order eq '9' and Customer gt 'C1')",  # another order
    ):
        assert seek(parse_filter(text, ORDER), order) is None
    # Descending, rows without a value sort last but never follow: no bisecting there.
    text = "Customer lt 'C2' or (Customer eq 'C2' and Order gt '9')"
    assert seek(parse_filter(text, ORDER), _ordered("Customer desc,Order")) is None
