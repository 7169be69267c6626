"""Rows of an entity set grouped by the values of some of their properties.

A navigation (the items of one document) and an equality ``$filter`` (the document carrying
one header text) name a few rows of a set that grows with every posting. Reading them through
an index costs what they are, not what the whole set is, so the sandbox answers in the same
time on its first day and after a hundred thousand postings, as a database with indexes does.

An index is kept beside the decoded rows of its set (see :class:`RowIndexes`): built on first
use, changed with every row written, dropped with the rows when a transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from erp_sandbox.odata.edm import Property, Row
from erp_sandbox.odata.values import compare_key


@dataclass(frozen=True)
class RowIndex:
    """What rows are grouped by: ``names`` as stored, or ``compared`` as ``$filter``
    compares them (ALPHA document numbers with their leading zeros)."""

    names: tuple[str, ...] = ()
    compared: tuple[Property, ...] = ()

    @classmethod
    def stored(cls, names: Iterable[str]) -> RowIndex:
        return cls(names=tuple(names))

    @classmethod
    def comparing(cls, props: Iterable[Property]) -> RowIndex:
        return cls(compared=tuple(props))

    def values_of(self, row: Row) -> tuple[Any, ...]:
        """The group ``row`` belongs to."""
        if self.compared:
            return tuple(
                compare_key(prop if prop.alpha else None, row.get(prop.name))
                for prop in self.compared
            )
        return tuple(row.get(name) for name in self.names)


Groups = dict[tuple[Any, ...], dict[str, Row]]


class RowIndexes:
    """The indexes of every entity set, over rows held as ``{set: {key: row}}``."""

    def __init__(self) -> None:
        self._sets: dict[str, dict[RowIndex, Groups]] = {}

    def lookup(
        self,
        entity_set: str,
        rows: Mapping[str, Row],
        index: RowIndex,
        wanted: Iterable[tuple[Any, ...]],
    ) -> list[Row]:
        """The rows of ``entity_set`` (all held in ``rows``) in any of the ``wanted`` groups,
        in the order they were first written."""
        indexes = self._sets.setdefault(entity_set, {})
        groups = indexes.get(index)
        if groups is None:
            groups = {}
            for key, row in rows.items():
                groups.setdefault(index.values_of(row), {})[key] = row
            indexes[index] = groups
        found: list[Row] = []
        for values in dict.fromkeys(wanted):
            found.extend(groups.get(values, {}).values())
        return found

    def written(self, entity_set: str, key: str, old: Row | None, new: Row) -> None:
        """Move the row ``key`` of ``entity_set`` from the groups of ``old`` to those of ``new``."""
        for index, groups in self._sets.get(entity_set, {}).items():
            after = index.values_of(new)
            if old is not None:
                before = index.values_of(old)
                group = groups.get(before)
                if group is not None and before != after:
                    group.pop(key, None)
                    if not group:
                        del groups[before]
            groups.setdefault(after, {})[key] = new

    def clear(self) -> None:
        """Forget every index (the rows they group are being read again)."""
        self._sets.clear()
