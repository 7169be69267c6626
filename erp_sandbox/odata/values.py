"""Primitive values: JSON encoding and decoding, literals, comparison keys and ETags.

* ``Edm.DateTime`` travels as ``/Date(<ms since epoch>)/`` and is held as a naive UTC
  ``datetime``; ``Edm.DateTimeOffset`` travels as ``/Date(<ms>+0000)/`` and is held as an
  aware UTC ``datetime``.
* ``Edm.Time`` travels as an ISO 8601 duration since midnight, ``PT14H05M09S``, and is held
  as a ``time``.
* ``Edm.Decimal`` travels as a string in fixed-point notation and is held as ``Decimal``.
* Document numbers with SAP's ALPHA conversion (``Property.alpha``) are held without leading
  zeros and compared as if padded to their length, so ``'9' < '10'``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from erp_sandbox.odata.edm import EdmType, Property

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_JSON_DATE = re.compile(r"^\\?/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{1,4})?\)\\?/$")
_DURATION = re.compile(r"^PT(?:(\d{1,2})H)?(?:(\d{1,2})M)?(?:(\d{1,2})(?:\.\d+)?S)?$")
_DATETIME_LITERAL = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d{1,7})?$")
_OFFSET_LITERAL = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def milliseconds(value: datetime) -> int:
    """Milliseconds since the epoch of ``value`` (naive values are taken as UTC)."""
    return (as_utc(value) - EPOCH) // timedelta(milliseconds=1)


def json_date(value: datetime) -> str:
    """The JSON form of an ``Edm.DateTime``: ``/Date(<ms>)/``."""
    return f"/Date({milliseconds(value)})/"


def json_datetimeoffset(value: datetime) -> str:
    """The JSON form of an ``Edm.DateTimeOffset``: ``/Date(<ms>+0000)/``."""
    return f"/Date({milliseconds(value)}+0000)/"


def json_time(value: time) -> str:
    """The JSON form of an ``Edm.Time``: ``PT<hh>H<mm>M<ss>S``."""
    return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"


def parse_json_time(text: str) -> time:
    """A time of day from ``PT14H05M09S`` (fractions of seconds are dropped)."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() == "PT":
        raise ValueError(f"'{text}' is not an Edm.Time value such as PT14H05M09S")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return time(hours, minutes, seconds)


def parse_json_date(text: str) -> datetime:
    """An aware UTC datetime from ``/Date(<ms>)/`` or ``/Date(<ms>±<minutes>)/``.

    The milliseconds are the UTC instant; the offset only says where it was observed.
    """
    match = _JSON_DATE.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a /Date(...)/ value")
    return EPOCH + timedelta(milliseconds=int(match.group("ms")))


def _fraction(text: str | None) -> str:
    return (text or ".0")[1:7].ljust(6, "0")


def parse_datetime_literal(text: str) -> datetime:
    """A naive UTC datetime from the text of ``datetime'yyyy-mm-ddThh:mm[:ss[.fffffff]]'``."""
    match = _DATETIME_LITERAL.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a valid Edm.DateTime literal")
    base, seconds, fraction = match.groups()
    return datetime.fromisoformat(f"{base}{seconds or ':00'}.{_fraction(fraction)}")


def parse_datetimeoffset_literal(text: str) -> datetime:
    """An aware UTC datetime from the text of ``datetimeoffset'...Z'`` or ``'...+01:00'``."""
    match = _OFFSET_LITERAL.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a valid Edm.DateTimeOffset literal")
    base, seconds, fraction, zone = match.groups()
    zone = "+00:00" if zone.upper() == "Z" else zone
    parsed = datetime.fromisoformat(f"{base}{seconds or ':00'}.{_fraction(fraction)}{zone}")
    return parsed.astimezone(UTC)


def format_decimal(value: Decimal) -> str:
    """``value`` in fixed-point notation, never with an exponent."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def to_json(prop: Property, value: Any) -> Any:
    """The JSON value of ``value`` held in ``prop``."""
    if value is None:
        return None
    match prop.type:
        case EdmType.DECIMAL:
            return format_decimal(Decimal(value))
        case EdmType.DATETIME:
            return json_date(value)
        case EdmType.DATETIMEOFFSET:
            return json_datetimeoffset(value)
        case EdmType.TIME:
            return json_time(value)
        case EdmType.INT64:
            return str(int(value))
        case EdmType.INT32:
            return int(value)
        case EdmType.DOUBLE:
            return float(value)
        case EdmType.BOOLEAN:
            return bool(value)
        case _:
            return str(value)


def _decimal_from_json(prop: Property, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"Property '{prop.name}' expects a decimal number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a valid value for property '{prop.name}'") from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a valid value for property '{prop.name}'")
    _, digits, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)
    scale = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if prop.scale is not None and scale > prop.scale:
        raise ValueError(f"Property '{prop.name}' allows {prop.scale} decimal places")
    if prop.precision is not None and integer_digits > prop.precision - (prop.scale or 0):
        raise ValueError(f"Value '{value}' is too large for property '{prop.name}'")
    return number


def _temporal_from_json(prop: Property, value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"Property '{prop.name}' expects a /Date(...)/ value")
    try:
        if "Date(" in value:
            moment = parse_json_date(value)
        elif prop.type is EdmType.DATETIME:
            moment = as_utc(parse_datetime_literal(value.rstrip("Z")))
        else:
            moment = parse_datetimeoffset_literal(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a valid value for property '{prop.name}'") from None
    return moment.replace(tzinfo=None) if prop.type is EdmType.DATETIME else moment


def from_json(prop: Property, value: Any) -> Any:
    """The Python value of the JSON ``value`` sent for ``prop``; ValueError when invalid."""
    if value is None:
        if not prop.nullable:
            raise ValueError(f"Property '{prop.name}' must not be null")
        return None
    match prop.type:
        case EdmType.DECIMAL:
            return _decimal_from_json(prop, value)
        case EdmType.DATETIME | EdmType.DATETIMEOFFSET:
            return _temporal_from_json(prop, value)
        case EdmType.TIME:
            if not isinstance(value, str):
                raise ValueError(f"Property '{prop.name}' expects a value such as PT14H05M09S")
            try:
                return parse_json_time(value)
            except ValueError:
                raise ValueError(
                    f"'{value}' is not a valid value for property '{prop.name}'"
                ) from None
        case EdmType.BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError(f"Property '{prop.name}' expects true or false")
            return value
        case EdmType.INT32 | EdmType.INT64:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(f"Property '{prop.name}' expects an integer")
            try:
                return int(value)
            except ValueError:
                raise ValueError(f"'{value}' is not an integer ('{prop.name}')") from None
        case EdmType.DOUBLE:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError(f"Property '{prop.name}' expects a number")
            return float(value)
        case _:
            if not isinstance(value, str):
                raise ValueError(f"Property '{prop.name}' expects a string")
            if prop.max_length is not None and len(value) > prop.max_length:
                raise ValueError(
                    f"Value of property '{prop.name}' is longer than {prop.max_length} characters"
                )
            return canonical(prop, value)


def canonical(prop: Property, value: Any) -> Any:
    """``value`` as held: ALPHA document numbers lose their leading zeros."""
    if prop.alpha and isinstance(value, str) and value.isdigit():
        return value.lstrip("0") or "0"
    return value


def compare_key(prop: Property | None, value: Any) -> Any:
    """A key under which values of ``prop`` compare and sort like SAP compares them."""
    if isinstance(value, datetime):
        return as_utc(value)
    if prop is not None and prop.alpha and isinstance(value, str) and value.isdigit():
        return value.rjust(max(prop.max_length or 0, len(value)), "0")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def string_literal(value: str) -> str:
    """An OData string literal: single quotes, inner quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def key_predicate(props: tuple[Property, ...], values: tuple[Any, ...]) -> str:
    """The key predicate of an entity, URL-safe: ``('1')`` or ``(A='1',B='10')``."""

    def literal(prop: Property, value: Any) -> str:
        if prop.type is EdmType.STRING:
            return quote(string_literal(str(value or "")), safe="'!*-._~:@$&+;=")
        return str(to_json(prop, value))

    if len(props) == 1:
        return f"({literal(props[0], values[0])})"
    inner = ",".join(
        f"{prop.name}={literal(prop, value)}" for prop, value in zip(props, values, strict=True)
    )
    return f"({inner})"


def timestamp_etag(value: datetime) -> str:
    """A weak ETag from a UTC time stamp, as SAP writes it for ``Edm.DateTimeOffset``."""
    moment = as_utc(value)
    text = moment.strftime("%Y-%m-%dT%H%%3A%M%%3A%S.") + f"{moment.microsecond:06d}0Z"
    return f"W/\"datetimeoffset'{text}'\""
