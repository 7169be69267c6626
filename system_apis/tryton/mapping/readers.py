"""Readers of the fields of decoded Tryton rows, shared by the mapping modules.

Required readers raise ``KeyError`` for a missing field and ``ValueError`` for a value of the
wrong type; optional readers answer None for a missing, null or blank one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

Row = Mapping[str, Any]


def record_id(row: Row) -> int:
    value = row["id"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"id is not an integer: {value!r}")
    return value


def native_id(row: Row) -> str:
    """Tryton's record id as the native id of a canonical record."""
    return str(record_id(row))


def optional_text(row: Row, name: str) -> str | None:
    value = row.get(name)
    if value is None or value is False:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a string: {value!r}")
    return value.strip() or None


def required_text(row: Row, name: str) -> str:
    text = optional_text(row, name)
    if text is None:
        raise ValueError(f"{name} is empty")
    return text


def flag(row: Row, name: str, default: bool = False) -> bool:
    """A Boolean field; SQLite databases answer 0/1."""
    value = row.get(name, default)
    return default if value is None else bool(value)


def decimal(row: Row, name: str) -> Decimal:
    """A Numeric (Decimal) or Float field as a Decimal; floats keep their shortest repr."""
    value = row[name]
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    raise ValueError(f"{name} is not a number: {value!r}")


def optional_decimal(row: Row, name: str) -> Decimal | None:
    return None if row.get(name) is None else decimal(row, name)


def optional_date(row: Row, name: str) -> dt.date | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValueError(f"{name} is not a date: {value!r}")


def timestamp(row: Row, name: str) -> dt.datetime | None:
    """A DateTime field (naive, UTC in trytond) as an aware timestamp."""
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{name} is not a datetime: {value!r}")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def many2one(row: Row, name: str) -> int | None:
    """The id a Many2One field points to."""
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} is not a record id: {value!r}")
    return value


def required_many2one(row: Row, name: str) -> int:
    value = many2one(row, name)
    if value is None:
        raise ValueError(f"{name} is empty")
    return value


def nested(row: Row, name: str) -> Row | None:
    """The related record of a dotted read of a Many2One (``"party."``), None when empty."""
    value = row.get(f"{name}.")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{name}. is not a record: {value!r}")
    return value


def nested_list(row: Row, name: str) -> list[Row]:
    """The related records of a dotted read of an x2Many (``"lines."``)."""
    value = row.get(f"{name}.", [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"{name}. is not a list of records: {value!r}")
    return value


def nested_text(row: Row, path: str) -> str | None:
    """A text field at the end of a dotted path of Many2Ones (``"product.code"``)."""
    *links, last = path.split(".")
    current: Row | None = row
    for link in links:
        if current is None:
            return None
        current = nested(current, link)
    return optional_text(current, last) if current is not None else None


def reference(row: Row, name: str) -> tuple[str, int] | None:
    """A Reference field (``"sale.line,12"``) as model and id; None when empty or unsaved."""
    value = row.get(name)
    if not value:
        return None
    if not isinstance(value, str) or "," not in value:
        raise ValueError(f"{name} is not a reference: {value!r}")
    model, _, raw_id = value.partition(",")
    try:
        target = int(raw_id)
    except ValueError:
        return None
    return (model, target) if target >= 0 else None


def ids(row: Row, name: str) -> list[int]:
    """The ids of an x2Many field."""
    value = row.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{name} is not a list of ids: {value!r}")
    return value
