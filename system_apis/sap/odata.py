"""OData v2 building blocks for SAP: literals, ``$filter`` expressions, keys, dates, query strings.

Everything here is pure. Values from users only ever reach a URL through :func:`literal`, which
quotes and escapes them, and through :func:`encode_query` / :func:`entity_path`, which
percent-encode the result; property names are checked against the OData identifier grammar.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

LiteralValue = str | int | float | Decimal | bool | dt.datetime | dt.date | dt.time | None

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$")
_ACTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_.]*)*$")
_ORDERBY = re.compile(r"^(?P<path>[A-Za-z_][A-Za-z0-9_/]*)(?: (?P<dir>asc|desc))?$")
_JSON_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?:(?P<sign>[+-])(?P<offset>\d{1,4}))?\)/$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Characters left readable in a query value: OData punctuation that carries no meaning for the
# query-string parser. Everything else (space, '&', '=', '+', '#', '%', non-ASCII) is escaped.
_QUERY_SAFE = "'(),:/$*@"
_PATH_SAFE = "'(),=:"


def property_path(name: str) -> str:
    """Checks that ``name`` is a property or navigation path (``A`` or ``to_Item/Material``)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not an OData property path: {name!r}")
    return name


def action_path(path: str) -> str:
    """Checks an OData v4 bound action's path (``BillingDocument/SAP__self.CreateFromSDDocument``).

    Unlike a property path, its last segment may hold the namespace-qualified action name.
    """
    if not _ACTION.fullmatch(path):
        raise ValueError(f"not an OData action path: {path!r}")
    return path


def orderby_item(item: str) -> str:
    """Checks one ``$orderby`` entry: a property path optionally followed by asc/desc."""
    match = _ORDERBY.fullmatch(item)
    if match is None or not _IDENTIFIER.fullmatch(match.group("path")):
        raise ValueError(f"not an OData $orderby item: {item!r}")
    return item


def _format_timestamp(value: dt.datetime) -> str:
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    # Milliseconds when they say it all; otherwise microseconds, so that a ge/gt comparison
    # with a change time stamp (Edm.DateTimeOffset, precision 7) is exact.
    if value.microsecond % 1000:
        text += f".{value.microsecond:06d}"
    elif value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text


def literal(value: LiteralValue) -> str:
    """The OData v2 URI literal of a Python value.

    Strings are single-quoted with inner quotes doubled; aware datetimes become
    ``datetimeoffset'...Z'`` in UTC, naive ones ``datetime'...'``; dates become
    ``datetime'YYYY-MM-DDT00:00:00'`` (SAP's ``Edm.DateTime`` carries dates at midnight);
    times of day become ``time'PT14H05M09S'`` (``Edm.Time``, whole seconds);
    decimals get the ``M`` suffix and floats the ``d`` suffix of their EDM types.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot express {value} as an OData literal")
        return f"{value:f}M"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot express {value} as an OData literal")
        return f"{value!r}d"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return f"datetime'{_format_timestamp(value)}'"
        return f"datetimeoffset'{_format_timestamp(value.astimezone(dt.UTC))}Z'"
    if isinstance(value, dt.date):
        return f"datetime'{value.isoformat()}T00:00:00'"
    if isinstance(value, dt.time):
        return f"time'PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S'"
    raise TypeError(f"no OData literal for {type(value).__name__}")


@dataclass(frozen=True)
class Filter:
    """A ``$filter`` expression built from the functions of this module.

    Combine with ``&`` and ``|`` (or :func:`all_of` / :func:`any_of`); ``str()`` renders it.
    """

    expression: str

    def __and__(self, other: Filter) -> Filter:
        return all_of(self, other)

    def __or__(self, other: Filter) -> Filter:
        return any_of(self, other)

    def __str__(self) -> str:
        return self.expression


def _compare(operator: str, field: str, value: LiteralValue) -> Filter:
    return Filter(f"{property_path(field)} {operator} {literal(value)}")


def eq(field: str, value: LiteralValue) -> Filter:
    return _compare("eq", field, value)


def ne(field: str, value: LiteralValue) -> Filter:
    return _compare("ne", field, value)


def gt(field: str, value: LiteralValue) -> Filter:
    return _compare("gt", field, value)


def ge(field: str, value: LiteralValue) -> Filter:
    return _compare("ge", field, value)


def lt(field: str, value: LiteralValue) -> Filter:
    return _compare("lt", field, value)


def le(field: str, value: LiteralValue) -> Filter:
    return _compare("le", field, value)


def substringof(value: str, field: str, *, ignore_case: bool = False) -> Filter:
    """True when ``field`` contains ``value`` (OData v2 argument order: needle first).

    With ``ignore_case`` the property is compared through ``tolower`` and the needle is
    lowered here.
    """
    if ignore_case:
        return Filter(f"substringof({literal(value.lower())},tolower({property_path(field)}))")
    return Filter(f"substringof({literal(value)},{property_path(field)})")


def startswith(field: str, value: str) -> Filter:
    return Filter(f"startswith({property_path(field)},{literal(value)})")


def not_(operand: Filter) -> Filter:
    return Filter(f"not ({operand.expression})")


def all_of(*operands: Filter) -> Filter:
    """Conjunction; ``or`` groups are parenthesised by :func:`any_of`, so no extra care here."""
    if not operands:
        raise ValueError("all_of needs at least one operand")
    return Filter(" and ".join(op.expression for op in operands))


def any_of(*operands: Filter) -> Filter:
    """Disjunction, parenthesised so it can be and-ed safely."""
    if not operands:
        raise ValueError("any_of needs at least one operand")
    if len(operands) == 1:
        return operands[0]
    return Filter("(" + " or ".join(f"({op.expression})" for op in operands) + ")")


def one_of(field: str, values: Iterable[LiteralValue]) -> Filter:
    """``field`` equals any of ``values``: ``(F eq 'a' or F eq 'b')``; duplicates are dropped."""
    unique = list(dict.fromkeys(values))
    if not unique:
        raise ValueError("one_of needs at least one value")
    operands = [eq(field, value) for value in unique]
    if len(operands) == 1:
        return operands[0]
    return Filter("(" + " or ".join(op.expression for op in operands) + ")")


def key_predicate(key: LiteralValue | Mapping[str, LiteralValue]) -> str:
    """``('1')`` for a single key, ``(SalesOrder='1',SalesOrderItem='10')`` for a composite one."""
    if isinstance(key, Mapping):
        if not key:
            raise ValueError("a composite key needs at least one property")
        parts = ",".join(f"{property_path(name)}={literal(value)}" for name, value in key.items())
        return f"({parts})"
    return f"({literal(key)})"


def entity_path(entity_set: str, key: LiteralValue | Mapping[str, LiteralValue]) -> str:
    """The percent-encoded resource path of one entity, e.g. ``A_SalesOrder('4711')``."""
    return property_path(entity_set) + quote(key_predicate(key), safe=_PATH_SAFE)


def encode_query(items: Sequence[tuple[str, str]]) -> str:
    """A query string with ``%20`` for spaces and OData punctuation left readable."""
    return "&".join(
        f"{quote(name, safe='$')}={quote(value, safe=_QUERY_SAFE)}" for name, value in items
    )


def query_options(
    *,
    filter: Filter | None = None,
    select: Sequence[str] = (),
    expand: Sequence[str] = (),
    orderby: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """The query options ``$filter``, ``$select``, ``$expand`` and ``$orderby``, when given."""
    query: list[tuple[str, str]] = []
    if filter is not None:
        query.append(("$filter", filter.expression))
    if select:
        query.append(("$select", ",".join(property_path(s) for s in select)))
    if expand:
        query.append(("$expand", ",".join(property_path(e) for e in expand)))
    if orderby:
        query.append(("$orderby", ",".join(orderby_item(o) for o in orderby)))
    return query


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware datetime from SAP's JSON ``/Date(ms)/`` or ``/Date(ms+mmmm)/``; None for null.

    The milliseconds count from the epoch in UTC. The optional offset is the original zone in
    minutes, as the OData v2 JSON format defines it; it changes the zone of the result, not the
    instant. ISO 8601 strings are accepted too (naive ones taken as UTC).
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an OData date: {value!r}")
    match = _JSON_DATE.fullmatch(value)
    if match is None:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not an OData date: {value!r}") from exc
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
    instant = _EPOCH + dt.timedelta(milliseconds=int(match.group("ms")))
    if match.group("offset") is None:
        return instant
    minutes = int(match.group("offset"))
    if match.group("sign") == "-":
        minutes = -minutes
    return instant.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))


def parse_date(value: Any) -> dt.date | None:
    """The calendar date of an ``Edm.DateTime`` (SAP sends dates as midnight UTC)."""
    parsed = parse_datetime(value)
    return None if parsed is None else parsed.date()


def format_datetime(value: dt.datetime | dt.date) -> str:
    """The JSON form of an ``Edm.DateTime``: ``/Date(ms)/`` (aware values converted to UTC)."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    delta = moment - _EPOCH
    milliseconds = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return f"/Date({milliseconds})/"


def format_datetimeoffset(value: dt.datetime) -> str:
    """The JSON form of an ``Edm.DateTimeOffset``: ``/Date(ms+0000)/``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("an Edm.DateTimeOffset needs an aware datetime")
    return format_datetime(value)[:-2] + "+0000)/"


def parse_decimal(value: Any) -> Decimal:
    """An ``Edm.Decimal`` (a JSON string in OData v2; numbers are tolerated)."""
    if type(value) is str:  # what OData v2 sends: no conversion, no copy
        try:
            result = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal: {value!r}") from exc
        if not result.is_finite():
            raise ValueError(f"not a decimal: {value!r}")
        return result
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a decimal: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal: {value!r}") from exc
        if not result.is_finite():
            raise ValueError(f"not a decimal: {value!r}")
        return result
    raise ValueError(f"not a decimal: {value!r}")


def format_decimal(value: Decimal) -> str:
    """An ``Edm.Decimal`` for a JSON body: plain notation, never an exponent."""
    return f"{value:f}"
