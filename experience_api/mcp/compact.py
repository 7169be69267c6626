"""Compact answers for agents: GraphQL result data as a few lines of text.

What a model reads costs tokens, so an answer carries only what it says:

- no nulls, no empty lists or objects, no ``__typename``;
- a list of records is one table: a header line of column names, then one row per record
  (cells separated by ``|``); nested objects become dotted columns (``customer.name``);
- a list inside a record (an order's lines) follows its row, indented, as a table of its own;
- numbers and instants in their shortest unambiguous form (``1250`` for ``"1250.00"``,
  ``2026-11-02T10:15Z``), amounts with their currency once per table when it is shared,
  quantities with their unit once per column when it is shared.

The result is a :class:`Doc`: head lines (the scalars of the answer's root object) and the
tables of its lists. The rows of the top-level tables are its *records*: the unit a token
budget cuts at (see :mod:`experience_api.mcp.budget`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_INSTANT = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::(\d\d)(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
# Separators, quotes, edge spaces, and every character a reader may take for a line break.
_NEEDS_QUOTES = re.compile(r'[|",\x00-\x1f\x7f\x85\u2028\u2029]|^\s|\s$|^$')
_RAW_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_MONEY = frozenset({"amount", "currency"})
_QUANTITY = frozenset({"value", "unit"})
INDENT = "  "


@dataclass(frozen=True)
class Measure:
    """A number with its currency or unit (Money, Quantity)."""

    number: str
    unit: str
    money: bool


Cell = str | Measure


@dataclass
class Row:
    """One record of a table: its cells by column, and the tables of its own lists."""

    cells: dict[str, Cell]
    children: list[Table] = field(default_factory=list)


@dataclass
class Table:
    name: str
    rows: list[Row]


@dataclass
class Doc:
    """A compact answer: head fields, then tables whose top-level rows are the records."""

    head: dict[str, Cell]
    tables: list[Table]

    @property
    def records(self) -> int:
        return sum(len(t.rows) for t in self.tables)


def number(value: Any) -> str:
    """The shortest text of a number (``"1250.00"`` → ``1250``, ``0.50`` → ``0.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text.lower() or not _DECIMAL.match(text):
        return text
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def instant(text: str) -> str:
    """An ISO 8601 date-time as short as it stays exact: no zero seconds, UTC as ``Z``."""
    match = _INSTANT.match(text)
    if match is None:
        return text
    day, minutes, seconds, fraction, zone = match.groups()
    fraction = (fraction or "").rstrip("0").rstrip(".")
    clock = minutes if (seconds in (None, "00") and not fraction) else f"{minutes}:{seconds}"
    clock += fraction
    zone = "Z" if zone in ("+00:00", "-00:00") else (zone or "")
    return f"{day}T{clock}{zone}"


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number(value)
    return instant(value) if isinstance(value, str) else str(value)


def quote(text: str) -> str:
    """A cell as written: JSON-quoted when it holds a separator, a quote or edge spaces."""
    if not _NEEDS_QUOTES.search(text):
        return text
    return json.dumps(text, ensure_ascii=False).translate(_RAW_BREAKS)


def _measure(value: Mapping[str, Any]) -> Measure | None:
    keys = frozenset(value)
    if keys == _MONEY and value["amount"] is not None and value["currency"]:
        return Measure(number(value["amount"]), str(value["currency"]), money=True)
    if keys == _QUANTITY and value["value"] is not None and value["unit"]:
        return Measure(number(value["value"]), str(value["unit"]), money=False)
    return None


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, list | dict) and not value)


def _flatten(
    value: Mapping[str, Any], prefix: str, cells: dict[str, Cell], lists: dict[str, list[Any]]
) -> None:
    """Scalars and measures of ``value`` into ``cells`` (dotted names); its lists of
    objects into ``lists``; lists of scalars become one comma-separated cell."""
    for key, item in value.items():
        if key == "__typename" or _is_empty(item):
            continue
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            measure = _measure(item)
            if measure is not None:
                cells[name] = measure
            else:
                _flatten(item, f"{name}.", cells, lists)
        elif isinstance(item, list):
            objects = [i for i in item if isinstance(i, Mapping)]
            if objects:
                lists[name] = objects
            else:
                cells[name] = ",".join(quote(scalar(i)) for i in item if i is not None)
        else:
            cells[name] = scalar(item)


def _row(value: Mapping[str, Any]) -> Row:
    cells: dict[str, Cell] = {}
    lists: dict[str, list[Any]] = {}
    _flatten(value, "", cells, lists)
    return Row(cells, [_table(name, items) for name, items in lists.items()])


def _table(name: str, items: Iterable[Mapping[str, Any]]) -> Table:
    rows = [_row(item) for item in items]
    return Table(name, [r for r in rows if r.cells or r.children])


def to_doc(data: Mapping[str, Any], head: Mapping[str, Any] | None = None) -> Doc:
    """The compact form of ``data`` (an object); ``head`` adds fields shown first."""
    cells: dict[str, Cell] = {k: scalar(v) for k, v in (head or {}).items() if v is not None}
    lists: dict[str, list[Any]] = {}
    _flatten(data, "", cells, lists)
    tables = [_table(name, items) for name, items in lists.items()]
    return Doc(cells, [t for t in tables if t.rows])


def records_doc(name: str, items: Sequence[Mapping[str, Any]], **head: Any) -> Doc:
    """A table of ``items`` (the nodes of a page) named ``name``, ``head`` fields first."""
    table = _table(name, items)
    heads = {k: scalar(v) for k, v in head.items() if v is not None}
    return Doc(dict[str, Cell](heads), [table] if table.rows else [])


def _cell_text(cell: Cell, shared_currency: str | None, column_unit: str | None) -> str:
    if isinstance(cell, Measure):
        if (cell.money and cell.unit == shared_currency) or (
            not cell.money and cell.unit == column_unit
        ):
            return cell.number
        return f"{cell.number} {cell.unit}"
    return quote(cell)


def _shared(values: Iterable[Cell], money: bool) -> str | None:
    units = {v.unit for v in values if isinstance(v, Measure) and v.money is money}
    return units.pop() if len(units) == 1 else None


def render_table(table: Table, rows: Sequence[Row], depth: int = 0) -> list[str]:
    """The lines of ``rows`` of ``table``: a title, the header, rows (children indented)."""
    if not rows:
        return []
    pad = INDENT * depth
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row.cells if c not in columns)
    cells = [c for row in rows for c in row.cells.values()]
    currency = _shared(cells, money=True)
    units = {c: _shared((r.cells[c] for r in rows if c in r.cells), money=False) for c in columns}
    # Quantities of one unit say it once in their column's name.
    header = [f"{c}({units[c]})" if units[c] else c for c in columns]
    title = f"{pad}[{table.name}]" + (f" {currency}" if currency else "")
    lines = [title, pad + "|".join(header)]
    for row in rows:
        texts = [
            _cell_text(row.cells[c], currency, units[c]) if c in row.cells else "" for c in columns
        ]
        lines.append(pad + "|".join(texts))
        for child in row.children:
            lines.extend(render_table(child, child.rows, depth + 1))
    return lines


def render_head(head: Mapping[str, Cell]) -> list[str]:
    return [f"{key}: {_cell_text(value, None, None)}" for key, value in head.items()]


def render(doc: Doc) -> str:
    """The whole of ``doc`` as text (no budget)."""
    lines = render_head(doc.head)
    for table in doc.tables:
        lines.extend(render_table(table, table.rows))
    return "\n".join(lines)
