"""Tryton's JSON encoding of Decimal, dates, times and bytes survives a round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from erp_sandbox.tryton.rpc import decode, encode


@pytest.mark.parametrize(
    "value",
    [
        Decimal("30.00"),
        dt.date(2026, 3, 1),
        dt.datetime(2026, 3, 1, 12, 30, 5, 120),
        dt.time(8, 15, 0, 5),
        dt.timedelta(hours=2),
        b"\x00binary",
    ],
)
def test_values_round_trip(value: object) -> None:
    text = json.dumps({"value": value}, default=encode)
    assert json.loads(text, object_hook=decode)["value"] == value


def test_decimal_is_encoded_as_tryton_expects() -> None:
    assert json.loads(json.dumps(Decimal("1.50"), default=encode)) == {
        "__class__": "Decimal",
        "decimal": "1.50",
    }


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError):
        json.dumps(object(), default=encode)
