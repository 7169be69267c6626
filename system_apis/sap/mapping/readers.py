"""Small readers of SAP entity properties shared by the mapping modules.

Required readers raise ``KeyError`` for a missing property and ``ValueError`` for one of the wrong
type; optional readers answer None for a missing or blank one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from system_apis.contracts.models import Money
from system_apis.sap.mapping.defaults import SapDefaults
from system_apis.sap.odata import parse_datetime, parse_decimal

JsonObject = Mapping[str, Any]


def required_text(entity: JsonObject, name: str) -> str:
    """A required string property; a missing one is an error of the payload."""
    value = entity[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string: {value!r}")
    return value


def optional_text(entity: JsonObject, name: str) -> str | None:
    value = entity.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string: {value!r}")
    return value.strip() or None


def required_decimal(entity: JsonObject, name: str) -> Decimal:
    return parse_decimal(entity[name])


def optional_decimal(entity: JsonObject, name: str) -> Decimal | None:
    value = entity.get(name)
    return None if value is None or value == "" else parse_decimal(value)


def date_as_datetime(entity: JsonObject, name: str) -> dt.datetime | None:
    """An ``Edm.DateTime`` holding a date, as an aware timestamp (midnight UTC)."""
    return parse_datetime(entity.get(name))


def expanded(entity: JsonObject, navigation: str) -> list[JsonObject] | None:
    """The entities of an expanded to-many navigation; None when it was not expanded."""
    value = entity.get(navigation)
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        results = value.get("results")
        if isinstance(results, list):
            return results
    return None


def line_sort_key(number: str) -> tuple[int, str]:
    return (int(number), number) if number.isdigit() else (1 << 62, number)


def money(amount: Decimal, currency: str | None, defaults: SapDefaults) -> Money:
    return Money(amount=amount, currency=currency or defaults.currency)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))
