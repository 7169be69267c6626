"""Reads: filtering, ordering and paging rows, and the JSON answers of collections and entities.

A collection answers ``{"d": {"results": [...]}}`` with ``"__count"`` (a string) under
``$inlinecount=allpages`` and ``"__next"`` when the server pages (``page_size``); a single
entity answers ``{"d": {...}}``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from erp_sandbox.odata.edm import EntitySet, EntityType, Property, Row
from erp_sandbox.odata.filter import Expression
from erp_sandbox.odata.filter_plans import equalities
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.odata.query import QueryOptions
from erp_sandbox.odata.serialize import RowSource, Serializer, sort_by_key
from erp_sandbox.odata.values import compare_key


def find(entity_type: EntityType, rows: list[Row], key: tuple[Any, ...]) -> Row | None:
    """The row of ``rows`` with ``key``, or None."""
    props = entity_type.key_properties()
    wanted = tuple(compare_key(prop, value) for prop, value in zip(props, key, strict=True))
    for row in rows:
        values = tuple(compare_key(prop, row.get(prop.name)) for prop in props)
        if values == wanted:
            return row
    return None


def _sort_key(prop: Property) -> Callable[[Row], tuple[bool, Any]]:
    def key(row: Row) -> tuple[bool, Any]:
        value = row.get(prop.name)
        return (value is not None, compare_key(prop, value) if value is not None else 0)

    return key


def order(
    entity_type: EntityType, rows: list[Row], orderby: list[tuple[Property, bool]]
) -> list[Row]:
    """``rows`` in key order, then stably sorted by each ``$orderby`` item (nulls first)."""
    result = sort_by_key(entity_type, rows)
    if orderby and not any(descending for _, descending in orderby):
        keys = [_sort_key(prop) for prop, _ in orderby]
        result.sort(key=lambda row: tuple(key(row) for key in keys))
        return result
    for prop, descending in reversed(orderby):
        result.sort(key=_sort_key(prop), reverse=descending)
    return result


def select_rows(entity_type: EntityType, rows: list[Row], options: QueryOptions) -> list[Row]:
    """The rows passing ``$filter``, in order; before ``$skip`` and ``$top``."""
    if options.filter is not None:
        expression = options.filter
        rows = [row for row in rows if expression.matches(row)]
    return order(entity_type, rows, options.orderby)


def filtered_rows(source: RowSource, entity_set: EntitySet, options: QueryOptions) -> list[Row]:
    """The rows of ``entity_set`` passing ``$filter``, in order; when the filter names values
    of a property (``MaterialDocumentHeaderText eq '...'``, ``SalesDocument eq '1' or
    SalesDocument eq '2'``), only the rows holding them are read, through an index."""
    named = equalities(options.filter) if options.filter is not None else None
    if named is None:
        rows = source.rows(entity_set.name)
    else:
        prop, values = named
        rows = source.find(entity_set.name, RowIndex.comparing((prop,)), [(v,) for v in values])
    return select_rows(entity_set.entity_type, rows, options)


def following(rows: list[Row], expression: Expression) -> list[Row]:
    """The rows from the first passing ``expression`` on: ``rows`` pass its other conditions
    and are in the order whose position it keeps what follows (see
    :func:`~erp_sandbox.odata.filter_plans.seek`), so they fail it up to a point and pass
    it from there; found by bisection, as an index seeks."""
    return rows[bisect.bisect_left(rows, True, key=expression.matches) :]


def read_collection(
    serializer: Serializer,
    entity_set: EntitySet,
    rows: list[Row],
    options: QueryOptions,
    *,
    page_size: int | None = None,
    next_link: Callable[[int], str] | None = None,
    selected: bool = False,
) -> dict[str, Any]:
    """The JSON answer of a collection read of ``rows`` (all rows in scope of the request;
    with ``selected``, already those passing ``$filter``, in ``$orderby`` order)."""
    matching = rows if selected else select_rows(entity_set.entity_type, rows, options)
    window = matching[options.skip :]
    if options.top is not None:
        window = window[: options.top]
    start = options.skiptoken or 0
    page = window[start:]
    more = False
    if page_size is not None and len(page) > page_size:
        page, more = page[:page_size], True
    body: dict[str, Any] = {
        "results": [
            serializer.entity(entity_set, row, options.expand, options.select) for row in page
        ]
    }
    if options.inlinecount:
        body["__count"] = str(len(matching))
    if more and next_link is not None:
        body["__next"] = next_link(start + len(page))
    return {"d": body}


def count_rows(entity_set: EntitySet, rows: list[Row], options: QueryOptions) -> int:
    """The answer of ``<set>/$count``: matching rows after ``$skip`` and ``$top``."""
    matching = select_rows(entity_set.entity_type, rows, options)[options.skip :]
    if options.top is not None:
        matching = matching[: options.top]
    return len(matching)


def read_entity(
    serializer: Serializer, entity_set: EntitySet, row: Row, options: QueryOptions
) -> dict[str, Any]:
    """The JSON answer of a single entity read."""
    return {"d": serializer.entity(entity_set, row, options.expand, options.select)}
