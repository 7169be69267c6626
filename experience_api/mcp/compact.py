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
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_INSTANT = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::(\d\d)(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
# Separators, quotes, edge spaces, and every character a reader may take for a line break.
_NEEDS_QUOTES = re.compile(r'[|",\x00-\x1f\x7f\x85\u2028\u2029]|^\s|\s$|^$')
_RAW_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_ID = re.compile(r"^([A-Za-z0-9_-]+:)[^:,]+$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d")
_YEAR = re.compile(r"^(\d{4}-)")
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
            present = [v for k, v in item.items() if k != "__typename" and not _is_empty(v)]
            if measure is not None:
                cells[name] = measure
            elif len(present) == 1 and not isinstance(present[0], Mapping | list):
                # {"source": {"connection": "EU01"}} says no more than source: EU01.
                cells[name] = scalar(present[0])
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
    _flatten(_merged(data), "", cells, lists)
    tables = [_table(name, items) for name, items in lists.items()]
    return Doc(cells, [t for t in tables if t.rows])


def _merged(data: Mapping[str, Any]) -> dict[str, Any]:
    """The root object with the fields of its nested objects lifted into it where their
    names are free (an order's progress and the order itself read as one record)."""
    merged: dict[str, Any] = {}
    nested: list[Mapping[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping) and _measure(value) is None:
            nested.append(value)
        else:
            merged[key] = value
    for value in nested:
        if set(value) & set(merged):
            return dict(data)
        merged.update(value)
    return merged


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


def _column_prefix(column: str, values: list[Cell]) -> str | None:
    """The start every value of a column shares and can say once in its name: the
    connection of an id column (``id(EU01:)``), the year of a date column
    (``date(2026-)``)."""
    if len(values) < 2 or not all(isinstance(v, str) for v in values):
        return None
    texts = [str(v) for v in values]
    if _is_id(column):
        matches = [_ID.match(t) for t in texts]
    elif all(_DATE.match(t) for t in texts):
        matches = [_YEAR.match(t) for t in texts]
    else:
        return None
    prefixes = {m.group(1) if m else None for m in matches}
    prefix = prefixes.pop() if len(prefixes) == 1 else None
    return prefix


def _column_name(column: str, start_or_unit: str | None, blank: str | None) -> str:
    if start_or_unit:
        return f"{column}({start_or_unit})"
    return f"{column}(blank={quote(blank)})" if blank else column


def _is_id(column: str) -> bool:
    return column == "id" or column.endswith((".id", "Id"))


def _usual(values: list[Cell], rows: int) -> str | None:
    """The value of at least two thirds of a column's rows (four or more, every one with a
    value), left blank in them and named once in the header: ``status(blank=ACTIVE)``."""
    if rows < 4 or len(values) != rows or not all(isinstance(v, str) for v in values):
        return None
    usual, count = Counter(str(v) for v in values).most_common(1)[0]
    return usual if count * 3 >= rows * 2 and len(set(values)) > 1 else None


@dataclass(frozen=True)
class Shared:
    """What an answer says once at its top instead of in every place."""

    currency: str | None = None
    """The one currency of all amounts (when they stand in more than one place)."""
    ids: str | None = None
    """The connection all ids start with (``EU01:``), when the answer has several."""

    def head(self) -> list[str]:
        lines = [f"currency: {self.currency}"] if self.currency else []
        return lines + ([f"ids: {self.ids}"] if self.ids else [])


def _places(doc: Doc) -> list[list[tuple[str, Cell]]]:
    places = [list(doc.head.items())]
    pending = list(doc.tables)
    while pending:
        table = pending.pop()
        places.append([item for row in table.rows for item in row.cells.items()])
        pending.extend(child for row in table.rows for child in row.children)
    return places


def shared(doc: Doc) -> Shared:
    """What ``doc`` can say once: its currency, and the connection of its ids."""
    places = _places(doc)
    with_money = [p for p in places if any(isinstance(c, Measure) and c.money for _, c in p)]
    currencies = {c.unit for p in with_money for _, c in p if isinstance(c, Measure) and c.money}
    currency = currencies.pop() if len(with_money) > 1 and len(currencies) == 1 else None
    ids = [c for p in places for name, c in p if _is_id(name)]
    matches = [_ID.match(c) if isinstance(c, str) else None for c in ids]
    prefixes = {m.group(1) if m else None for m in matches}
    tables = sum(1 for p in places[1:] if any(_is_id(name) for name, _ in p))
    prefix = prefixes.pop() if len(prefixes) == 1 and len(ids) > 2 and tables > 1 else None
    return Shared(currency, prefix)


def render_table(
    table: Table, rows: Sequence[Row], depth: int = 0, top: Shared = Shared()
) -> list[str]:
    """The lines of ``rows`` of ``table``: a title, the header, rows (children indented).

    A column with one value in every row is said once, in the title (``status=POSTED``);
    a start all its values share once, in its name (``id(EU01:)``, ``date(2026-)``); the
    value of most of its rows once, in its name, blank in those rows
    (``status(blank=ACTIVE)``).
    """
    if not rows:
        return []
    pad = INDENT * depth
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row.cells if c not in columns)
    values = {c: [r.cells[c] for r in rows if c in r.cells] for c in columns}
    cells = [c for row in rows for c in row.cells.values()]
    currency = top.currency
    shared = currency or _shared(cells, money=True)
    units = {c: _shared(values[c], money=False) for c in columns}
    constant = {
        c: v[0]
        for c, v in values.items()
        if len(rows) > 1 and len(v) == len(rows) and isinstance(v[0], str) and len(set(v)) == 1
    }
    prefixes = {
        c: top.ids if top.ids and _is_id(c) else _column_prefix(c, values[c])
        for c in columns
        if c not in constant
    }
    shown = [c for c in columns if c not in constant]
    blanks = {c: _usual(values[c], len(rows)) for c in shown}
    # Quantities of one unit say it once in their column's name.
    header = [
        _column_name(c, units[c] or (prefixes[c] if prefixes[c] != top.ids else None), blanks[c])
        for c in shown
    ]
    title = f"{pad}[{table.name}]" + (f" {shared}" if shared and shared != currency else "")
    title += "".join(f" {c}={quote(str(v))}" for c, v in constant.items())
    lines = [title, pad + "|".join(header)]
    for row in rows:
        texts = []
        for c in shown:
            if c not in row.cells:
                texts.append("")
                continue
            text = _cell_text(row.cells[c], shared, units[c])
            prefix = prefixes[c]
            if text == blanks[c]:
                text = ""
            texts.append(text[len(prefix) :] if prefix else text)
        lines.append(pad + "|".join(texts))
        for child in row.children:
            lines.extend(render_table(child, child.rows, depth + 1, top))
    return lines


def render_head(head: Mapping[str, Cell], top: Shared = Shared()) -> list[str]:
    lines = top.head()
    for key, value in head.items():
        text = _cell_text(value, top.currency, None)
        if top.ids and _is_id(key) and text.startswith(top.ids):
            text = text[len(top.ids) :]
        lines.append(f"{key}: {text}")
    return lines


def render(doc: Doc) -> str:
    """The whole of ``doc`` as text (no budget)."""
    top = shared(doc)
    lines = render_head(doc.head, top)
    for table in doc.tables:
        lines.extend(render_table(table, table.rows, top=top))
    return "\n".join(lines)
