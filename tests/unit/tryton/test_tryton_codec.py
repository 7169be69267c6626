"""Tryton's JSON values: what trytond writes is read back, what the client sends trytond reads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from system_apis.tryton import codec
from tests.unit.tryton.tryton_payloads import INVOICES, SALES, result

pytestmark = pytest.mark.unit


def test_decimals_dates_and_datetimes_of_a_real_answer() -> None:
    (sale,) = result(SALES)
    assert sale["untaxed_amount"] == Decimal("40.00")
    assert isinstance(sale["untaxed_amount"], Decimal)
    assert sale["sale_date"] == dt.date(2026, 11, 23)
    assert sale["create_date"] == dt.datetime(2026, 11, 23, 23, 47, 59, 874681)
    assert sale["lines."][0]["quantity"] == 2.0
    (invoice,) = result(INVOICES)
    assert invoice["total_amount"] == Decimal("47.60")


def test_other_classes_decode() -> None:
    body = json.dumps(
        [
            {"__class__": "time", "hour": 8, "minute": 30, "second": 0, "microsecond": 5},
            {"__class__": "timedelta", "seconds": 90.5},
            {"__class__": "bytes", "base64": "aGVsbG8=\n"},
            {"__class__": "unknown", "x": 1},
        ]
    )
    assert codec.decode(body) == [
        dt.time(8, 30, 0, 5),
        dt.timedelta(seconds=90.5),
        b"hello",
        {"__class__": "unknown", "x": 1},
    ]


def test_encode_writes_what_trytond_reads() -> None:
    sent = json.loads(
        codec.encode(
            {
                "price": Decimal("13.0000"),
                "day": dt.date(2026, 1, 31),
                "at": dt.datetime(2026, 1, 31, 12, 0, 1, 7),
                "blob": b"\x00\x01",
                "ids": frozenset({3}),
            }
        )
    )
    assert sent == {
        "price": {"__class__": "Decimal", "decimal": "13.0000"},
        "day": {"__class__": "date", "year": 2026, "month": 1, "day": 31},
        "at": {
            "__class__": "datetime",
            "year": 2026,
            "month": 1,
            "day": 31,
            "hour": 12,
            "minute": 0,
            "second": 1,
            "microsecond": 7,
        },
        "blob": {"__class__": "bytes", "base64": "AAE="},
        "ids": [3],
    }


def test_aware_datetimes_travel_as_utc() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    sent = json.loads(codec.encode(dt.datetime(2026, 6, 1, 14, 0, tzinfo=berlin)))
    assert (sent["hour"], sent["day"]) == (12, 1)


def test_round_trip() -> None:
    value = {"a": [Decimal("-1.5"), dt.date(2020, 2, 29), dt.datetime(2020, 2, 29, 1, 2, 3)]}
    assert codec.decode(codec.encode(value)) == value


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"__class__": "Decimal", "decimal": "abc"}',
        '{"__class__": "date", "year": 2020}',
    ],
)
def test_malformed_bodies_are_value_errors(body: str) -> None:
    with pytest.raises(ValueError, match=r".+"):
        codec.decode(body)


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        codec.encode(object())
