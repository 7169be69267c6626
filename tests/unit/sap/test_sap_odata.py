"""OData v2 literals, filters, keys, query strings and dates for SAP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from system_apis.sap.odata import (
    all_of,
    encode_query,
    entity_path,
    eq,
    format_datetime,
    format_datetimeoffset,
    ge,
    key_predicate,
    literal,
    ne,
    not_,
    one_of,
    orderby_item,
    parse_date,
    parse_datetime,
    parse_decimal,
    substringof,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ACME", "'ACME'"),
        ("O'Neill", "'O''Neill'"),
        ("''", "''''''"),
        ("", "''"),
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (Decimal("1.50"), "1.50M"),
        (Decimal("1E+2"), "100M"),
        (1.5, "1.5d"),
        (dt.date(2024, 1, 31), "datetime'2024-01-31T00:00:00'"),
        (dt.datetime(2024, 1, 31, 8, 30), "datetime'2024-01-31T08:30:00'"),
        (
            dt.datetime(2024, 1, 31, 9, 30, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "datetimeoffset'2024-01-31T08:30:00.250Z'",
        ),
    ],
)
def test_literal(value: object, expected: str) -> None:
    assert literal(value) == expected  # type: ignore[arg-type]


def test_literal_rejects_values_without_a_literal() -> None:
    with pytest.raises(TypeError):
        literal(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="literal"):
        literal(Decimal("NaN"))


def test_user_input_stays_inside_the_string_literal() -> None:
    hostile = "x' or Customer ne '"
    expression = str(eq("BusinessPartnerFullName", hostile))
    assert expression == "BusinessPartnerFullName eq 'x'' or Customer ne '''"


def test_substringof_puts_the_needle_first() -> None:
    assert str(substringof("O'Neill", "BusinessPartnerFullName")) == (
        "substringof('O''Neill',BusinessPartnerFullName)"
    )


def test_substringof_can_ignore_case() -> None:
    assert str(substringof("Müller", "Name", ignore_case=True)) == (
        "substringof('müller',tolower(Name))"
    )


def test_one_of_or_joins_distinct_values_in_parentheses() -> None:
    assert str(one_of("Product", ["A", "B", "A"])) == "(Product eq 'A' or Product eq 'B')"
    assert str(one_of("Product", ["A"])) == "Product eq 'A'"
    with pytest.raises(ValueError, match="at least one"):
        one_of("Product", [])


def test_and_keeps_or_groups_together() -> None:
    expression = all_of(ne("Customer", ""), one_of("Customer", ["1", "2"]), ge("X", 3))
    assert str(expression) == "Customer ne '' and (Customer eq '1' or Customer eq '2') and X ge 3"
    combined = eq("A", 1) & (eq("B", 2) | eq("C", 3))
    assert str(combined) == "A eq 1 and ((B eq 2) or (C eq 3))"
    assert str(not_(eq("A", "x"))) == "not (A eq 'x')"


@pytest.mark.parametrize("name", ["", "1A", "A eq 1", "A;B", "A)", "to_Item//X", "A'"])
def test_property_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="property path"):
        eq(name, "x")


def test_orderby_items_are_checked() -> None:
    assert orderby_item("SalesOrder desc") == "SalesOrder desc"
    assert orderby_item("to_Item/Material") == "to_Item/Material"
    with pytest.raises(ValueError, match="orderby"):
        orderby_item("SalesOrder; drop")


def test_key_predicates() -> None:
    assert key_predicate("4711") == "('4711')"
    assert key_predicate({"SalesOrder": "4711", "SalesOrderItem": "10"}) == (
        "(SalesOrder='4711',SalesOrderItem='10')"
    )
    assert entity_path("A_Product", "O'Neill") == "A_Product('O''Neill')"
    assert entity_path("A_Product", "A/B C?#") == "A_Product('A%2FB%20C%3F%23')"


def test_encode_query_escapes_separators_but_keeps_odata_punctuation() -> None:
    query = encode_query([("$filter", "Name eq 'a&b=c+d #1 100%'"), ("$top", "5")])
    assert query == "$filter=Name%20eq%20'a%26b%3Dc%2Bd%20%231%20100%25'&$top=5"
    assert parse_qsl(query) == [("$filter", "Name eq 'a&b=c+d #1 100%'"), ("$top", "5")]
    assert encode_query([("$filter", "Name eq 'Müller'")]) == "$filter=Name%20eq%20'M%C3%BCller'"


def test_parse_json_dates() -> None:
    utc = dt.UTC
    assert parse_datetime("/Date(0)/") == dt.datetime(1970, 1, 1, tzinfo=utc)
    assert parse_datetime("/Date(1709596800000)/") == dt.datetime(2024, 3, 5, tzinfo=utc)
    assert parse_datetime("/Date(-86400000)/") == dt.datetime(1969, 12, 31, tzinfo=utc)
    with_offset = parse_datetime("/Date(1709633730123+0060)/")
    assert with_offset == dt.datetime(2024, 3, 5, 10, 15, 30, 123000, tzinfo=utc)
    assert with_offset is not None
    assert with_offset.utcoffset() == dt.timedelta(hours=1)
    assert parse_datetime("/Date(1709633730000+0000)/") == dt.datetime(
        2024, 3, 5, 10, 15, 30, tzinfo=utc
    )
    assert parse_datetime("/Date(1709633730000-0120)/") == dt.datetime(
        2024, 3, 5, 10, 15, 30, tzinfo=utc
    )
    assert parse_datetime(None) is None
    assert parse_datetime("2024-03-05T10:15:30") == dt.datetime(2024, 3, 5, 10, 15, 30, tzinfo=utc)
    assert parse_date("/Date(1709596800000)/") == dt.date(2024, 3, 5)
    assert parse_date(None) is None


@pytest.mark.parametrize("value", ["/Date(abc)/", "Date(1)", "yesterday", 1709596800000])
def test_parse_rejects_what_is_not_a_date(value: object) -> None:
    with pytest.raises(ValueError, match="not an OData date"):
        parse_datetime(value)


def test_format_json_dates_round_trip() -> None:
    moment = dt.datetime(2024, 3, 5, 10, 15, 30, 123000, tzinfo=dt.UTC)
    assert format_datetime(moment) == "/Date(1709633730123)/"
    assert format_datetime(dt.date(2024, 3, 5)) == "/Date(1709596800000)/"
    assert format_datetimeoffset(moment) == "/Date(1709633730123+0000)/"
    assert parse_datetime(format_datetimeoffset(moment)) == moment
    with pytest.raises(ValueError, match="aware"):
        format_datetimeoffset(dt.datetime(2024, 3, 5))


def test_parse_decimal() -> None:
    assert parse_decimal("12.500") == Decimal("12.500")
    assert parse_decimal(3) == Decimal(3)
    for bad in ("", "abc", None, True, "NaN"):
        with pytest.raises(ValueError, match="decimal"):
            parse_decimal(bad)
