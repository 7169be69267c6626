"""What an operation selects below the field being resolved (fragments included).

A list resolver uses it to read, for the whole page at once and before returning, what its
items' nested fields will show, so those fields resolve to plain values: graphql-core then
completes them without an awaitable or a task per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def selected_paths(info: Any, *roots: str) -> frozenset[tuple[str, ...]]:
    """Every path of field names selected below the current field, starting with one of
    ``roots`` (``("nodes", "customer")``, ``("edges", "node", "lines", "product")``...).

    A field under ``@skip``/``@include`` counts as selected: reading a little more is safe,
    reading less would only fall back to the per-item loaders.
    """
    paths: set[tuple[str, ...]] = set()

    def walk(selections: Iterable[Selection], prefix: tuple[str, ...]) -> None:
        for field in _fields(selections):
            path = (*prefix, field.name)
            paths.add(path)
            walk(field.selections, path)

    for field in _fields(info.selected_fields):
        for child in _fields(field.selections):
            if child.name in roots:
                walk(child.selections, (child.name,))
    return frozenset(paths)
