"""SuiteQL text: literals, lists and the clauses the adapter's reads share.

SuiteQL is Oracle SQL over NetSuite's analytics tables; values are written into the query
as literals (the REST endpoint takes no bind parameters), so every literal goes through
:func:`text` (quotes doubled) or :func:`ids` (digits only). ``LIKE`` patterns escape ``%``
and ``_`` with ``\\``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

STAMP_FORMAT = "YYYY-MM-DD HH24:MI:SS"
PY_STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def text(value: str) -> str:
    """A string literal."""
    return "'" + value.replace("'", "''") + "'"


def texts(values: Iterable[str]) -> str:
    """A parenthesised list of string literals (``('a', 'b')``)."""
    return "(" + ", ".join(text(v) for v in values) + ")"


def numeric(values: Iterable[str]) -> list[str]:
    """The values that can be internal ids (digits); others match no record."""
    return [v for v in dict.fromkeys(values) if v.isdigit() and len(v) < 19]


def ids(values: Sequence[str]) -> str:
    """A parenthesised list of internal ids; ``values`` must be :func:`numeric`."""
    if not values or not all(v.isdigit() for v in values):
        raise ValueError(f"not internal ids: {values!r}")
    return "(" + ", ".join(values) + ")"


def contains(column: str, fragment: str) -> str:
    """Case-insensitive "column contains fragment"."""
    escaped = fragment.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"UPPER({column}) LIKE {text('%' + escaped + '%')} ESCAPE '\\'"


def stamp(column: str) -> str:
    """A timestamp column as ``YYYY-MM-DD HH24:MI:SS`` text (the account's time zone)."""
    return f"TO_CHAR({column}, '{STAMP_FORMAT}')"


def day(column: str) -> str:
    return f"TO_CHAR({column}, 'YYYY-MM-DD')"


def since(column: str, moment: dt.datetime, zone: ZoneInfo) -> str:
    """``column >= moment``, the moment written in the account's time zone."""
    local = moment.astimezone(zone).strftime(PY_STAMP_FORMAT)
    return f"{column} >= TO_TIMESTAMP({text(local)}, '{STAMP_FORMAT}')"


def on_or_after(column: str, date: dt.date) -> str:
    return f"{column} >= TO_DATE({text(date.isoformat())}, 'YYYY-MM-DD')"


def on_or_before(column: str, date: dt.date) -> str:
    return f"{column} <= TO_DATE({text(date.isoformat())}, 'YYYY-MM-DD')"


def where(clauses: Iterable[str]) -> str:
    chosen = [c for c in clauses if c]
    return " WHERE " + " AND ".join(chosen) if chosen else ""
