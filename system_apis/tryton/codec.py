"""Tryton's JSON: the ``__class__`` objects trytond uses for values plain JSON lacks.

trytond (``trytond.protocols.jsonrpc``) writes ``Decimal`` as
``{"__class__": "Decimal", "decimal": "30.00"}``, dates as ``{"__class__": "date", "year",
"month", "day"}``, datetimes and times with ``hour``/``minute``/``second``/``microsecond``,
``timedelta`` as ``seconds`` and bytes as ``base64``; it reads the same shapes in requests.
Datetimes travel naive and mean UTC: an aware datetime is converted to UTC before it is sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def _encode_datetime(value: dt.datetime) -> dict[str, Any]:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return {
        "__class__": "datetime",
        "year": value.year,
        "month": value.month,
        "day": value.day,
        "hour": value.hour,
        "minute": value.minute,
        "second": value.second,
        "microsecond": value.microsecond,
    }


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return _encode_datetime(value)
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dt.time):
        return {
            "__class__": "time",
            "hour": value.hour,
            "minute": value.minute,
            "second": value.second,
            "microsecond": value.microsecond,
        }
    if isinstance(value, dt.timedelta):
        return {"__class__": "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} to Tryton")


def encode(value: Any) -> bytes:
    """The JSON body trytond reads for ``value`` (Decimals, dates, bytes... as it expects)."""
    return json.dumps(value, default=_default, separators=(",", ":")).encode()


_DECODERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Decimal": lambda d: Decimal(d["decimal"]),
    "date": lambda d: dt.date(d["year"], d["month"], d["day"]),
    "datetime": lambda d: dt.datetime(
        d["year"], d["month"], d["day"], d["hour"], d["minute"], d["second"], d["microsecond"]
    ),
    "time": lambda d: dt.time(d["hour"], d["minute"], d["second"], d["microsecond"]),
    "timedelta": lambda d: dt.timedelta(seconds=d["seconds"]),
    "bytes": lambda d: base64.b64decode(d["base64"]),
}


def _object_hook(document: dict[str, Any]) -> Any:
    decoder = _DECODERS.get(document.get("__class__", ""))
    return decoder(document) if decoder else document


def decode(content: bytes | str) -> Any:
    """A trytond JSON answer with its ``__class__`` objects turned into Python values.

    Raises ``ValueError`` for a body that is not JSON or holds a malformed ``__class__`` object.
    """
    try:
        return json.loads(content, object_hook=_object_hook)
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"malformed Tryton value: {exc!r}") from exc
