"""Value encoding of the sandbox's OData engine: dates, decimals, literals, keys, ETags."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from erp_sandbox.odata.edm import EntityType, date, decimal, key_string, string, timestamp
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.odata.query import parse_key
from erp_sandbox.odata.tokens import parse_literal
from erp_sandbox.odata.values import (
    compare_key,
    from_json,
    json_date,
    json_datetimeoffset,
    key_predicate,
    parse_datetime_literal,
    parse_datetimeoffset_literal,
    parse_json_date,
    timestamp_etag,
    to_json,
)

ITEM = EntityType(
    name="ItemType",
    keys=("Order", "Item"),
    properties=(key_string("Order", 10, alpha=True), key_string("Item", 6, alpha=True)),
)


def test_datetime_travels_as_milliseconds() -> None:
    assert json_date(datetime(2024, 1, 31)) == "/Date(1706659200000)/"
    assert json_date(datetime(1970, 1, 1)) == "/Date(0)/"
    assert json_date(datetime(1969, 12, 31, 23, 59, 59)) == "/Date(-1000)/"


def test_datetimeoffset_carries_a_zero_offset() -> None:
    moment = datetime(2024, 1, 31, 10, 20, 30, 123456, tzinfo=UTC)
    assert json_datetimeoffset(moment) == "/Date(1706696430123+0000)/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1706659200000)/", datetime(2024, 1, 31, tzinfo=UTC)),
        ("\\/Date(1706659200000)\\/", datetime(2024, 1, 31, tzinfo=UTC)),
        ("/Date(1706696430123+0000)/", datetime(2024, 1, 31, 10, 20, 30, 123000, tzinfo=UTC)),
        ("/Date(1706659200000+0060)/", datetime(2024, 1, 31, tzinfo=UTC)),
        ("/Date(-1000)/", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_json_dates_parse(text: str, expected: datetime) -> None:
    assert parse_json_date(text) == expected


def test_bad_json_date_is_refused() -> None:
    with pytest.raises(ValueError, match="Date"):
        parse_json_date("2024-01-31")


def test_literals() -> None:
    assert parse_datetime_literal("2024-01-31T10:20") == datetime(2024, 1, 31, 10, 20)
    assert parse_datetime_literal("2024-01-31T10:20:30.1234567") == datetime(
        2024, 1, 31, 10, 20, 30, 123456
    )
    assert parse_datetimeoffset_literal("2024-01-31T10:20:30+02:00") == datetime(
        2024, 1, 31, 8, 20, 30, tzinfo=UTC
    )
    assert parse_literal("'it''s'").value == "it's"
    assert parse_literal("1.5M").value == Decimal("1.5")
    assert parse_literal("null").kind == "null"


def test_json_values_of_properties() -> None:
    amount = decimal("Amount", 16, 3)
    assert to_json(amount, Decimal("12.50")) == "12.50"
    assert to_json(amount, Decimal("1E+2")) == "100"
    assert to_json(date("Day"), datetime(2024, 1, 31)) == "/Date(1706659200000)/"
    changed = timestamp("Changed")
    assert to_json(changed, datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == "/Date(1000+0000)/"
    assert from_json(amount, "2") == Decimal(2)
    assert from_json(amount, 2.5) == Decimal("2.5")
    assert from_json(date("Day"), "/Date(1706659200000)/") == datetime(2024, 1, 31)
    assert from_json(date("Day"), "2024-01-31T00:00:00") == datetime(2024, 1, 31)
    assert from_json(changed, "/Date(1000+0000)/") == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        (decimal("Quantity", 15, 3), "1.2345"),
        (decimal("Quantity", 5, 3), "123.4"),
        (decimal("Quantity", 15, 3), "abc"),
        (decimal("Quantity", 15, 3), True),
        (string("Code", 4), "TOOLONG"),
        (string("Code", 4), 12),
        (date("Day"), "yesterday"),
        (key_string("Key", 4), None),
    ],
)
def test_invalid_json_values_are_refused(prop: object, value: object) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        from_json(prop, value)  # type: ignore[arg-type]


def test_alpha_numbers_compare_as_numbers() -> None:
    order = key_string("Order", 10, alpha=True)
    assert compare_key(order, "9") < compare_key(order, "10")
    assert compare_key(order, "0000000010") == compare_key(order, "10")


def test_key_predicates_round_trip() -> None:
    props = ITEM.key_properties()
    assert key_predicate(props, ("1", "10")) == "(Order='1',Item='10')"
    assert key_predicate(props[:1], ("O'Neil",)) == "('O''Neil')"
    assert parse_key(ITEM, "Order='0000000001',Item='000010'") == ("1", "10")
    assert parse_key(ITEM, "Item='10', Order='1'") == ("1", "10")


@pytest.mark.parametrize(
    "predicate", ["'1'", "Order='1'", "Order='1',Item=10", "Order='1',Bad='2'", "Order='1',Item"]
)
def test_bad_key_predicates_are_a_400(predicate: str) -> None:
    with pytest.raises(ODataError) as raised:
        parse_key(ITEM, predicate)
    assert raised.value.status == 400


def test_timestamp_etag_looks_like_sap() -> None:
    moment = datetime(2024, 1, 31, 10, 20, 30, 123456, tzinfo=UTC)
    assert timestamp_etag(moment) == "W/\"datetimeoffset'2024-01-31T10%3A20%3A30.1234560Z'\""
