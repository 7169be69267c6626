"""JSON serialisation of entities in the OData v2 verbose format SAP Gateway writes.

Each entity carries ``__metadata`` (``id``, ``uri``, ``type`` and ``etag`` when the type has
one); a navigation is ``{"__deferred": {"uri": ...}}`` unless expanded, then
``{"results": [...]}`` (to-many) or the entity itself (to-one, ``null`` when missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from erp_sandbox.odata.edm import EntitySet, EntityType, NavigationProperty, Row, Service
from erp_sandbox.odata.indexes import RowIndex
from erp_sandbox.odata.query import ExpandTree, SelectTree
from erp_sandbox.odata.values import compare_key, key_predicate, to_json


class RowSource(Protocol):
    """Where the rows of the entity sets come from."""

    def rows(self, entity_set: str) -> list[Row]:
        """All rows of ``entity_set``."""
        ...

    def find(
        self, entity_set: str, index: RowIndex, wanted: Iterable[tuple[Any, ...]]
    ) -> list[Row]:
        """The rows of ``entity_set`` whose ``index`` values are among ``wanted``."""
        ...


def sort_by_key(entity_type: EntityType, rows: list[Row]) -> list[Row]:
    """``rows`` in key order, ALPHA document numbers compared as numbers."""
    props = entity_type.key_properties()
    return sorted(
        rows,
        key=lambda row: tuple(compare_key(prop, row.get(prop.name) or "") for prop in props),
    )


def etag_selected(entity_type: EntityType, select: SelectTree | None) -> bool:
    """Whether an answer limited to ``select`` carries the ETag: SAP Gateway computes it from
    the type's concurrency property (``ConcurrencyMode="Fixed"``), so a ``$select`` without
    that property gets none."""
    if select is None or select.properties is None:
        return True
    tokens = [prop.name for prop in entity_type.properties if prop.concurrency]
    return not tokens or any(name in select.properties for name in tokens)


class Serializer:
    """Writes rows of one service as JSON, following navigations through a row source."""

    def __init__(self, service: Service, root_uri: str, source: RowSource) -> None:
        self.service = service
        self.root_uri = root_uri.rstrip("/")
        self.source = source

    def target_set(self, navigation: NavigationProperty) -> EntitySet:
        """The entity set a navigation leads to."""
        target = self.service.entity_set(navigation.target)
        if target is None:
            raise KeyError(navigation.target)
        return target

    def uri(self, entity_set: EntitySet, row: Row) -> str:
        """The absolute URI of the entity ``row``."""
        entity_type = entity_set.entity_type
        predicate = key_predicate(entity_type.key_properties(), entity_type.key_of(row))
        return f"{self.root_uri}/{entity_set.name}{predicate}"

    def collection_uri(self, entity_set: EntitySet) -> str:
        """The absolute URI of an entity set."""
        return f"{self.root_uri}/{entity_set.name}"

    @staticmethod
    def etag(entity_type: EntityType, row: Row) -> str | None:
        """The ETag of ``row``, if its type has one."""
        return entity_type.etag(row) if entity_type.etag is not None else None

    def related(self, navigation: NavigationProperty, row: Row) -> list[Row]:
        """The rows ``navigation`` leads to from ``row``, in key order."""
        target = self.target_set(navigation)
        index = RowIndex.stored(target_prop for _, target_prop in navigation.join)
        values = tuple(row.get(source_prop) for source_prop, _ in navigation.join)
        return sort_by_key(target.entity_type, self.source.find(target.name, index, [values]))

    def entity(
        self,
        entity_set: EntitySet,
        row: Row,
        expand: ExpandTree | None = None,
        select: SelectTree | None = None,
    ) -> dict[str, Any]:
        """The JSON object of ``row`` with ``expand`` applied and limited to ``select``."""
        entity_type = entity_set.entity_type
        uri = self.uri(entity_set, row)
        metadata: dict[str, Any] = {
            "id": uri,
            "uri": uri,
            "type": f"{self.service.name}.{entity_type.name}",
        }
        etag = self.etag(entity_type, row) if etag_selected(entity_type, select) else None
        if etag is not None:
            metadata["etag"] = etag
        result: dict[str, Any] = {"__metadata": metadata}
        for prop in entity_type.properties:
            if select is None or select.properties is None or prop.name in select.properties:
                result[prop.name] = to_json(prop, row.get(prop.name))
        expand = expand or ExpandTree()
        for navigation in entity_type.navigations:
            if select is not None and navigation.name not in select.navigations:
                continue
            child_expand = expand.children.get(navigation.name)
            if child_expand is None:
                result[navigation.name] = {"__deferred": {"uri": f"{uri}/{navigation.name}"}}
                continue
            child_select = select.navigations.get(navigation.name) if select else None
            target = self.target_set(navigation)
            related = self.related(navigation, row)
            if navigation.many:
                result[navigation.name] = {
                    "results": [
                        self.entity(target, child, child_expand, child_select) for child in related
                    ]
                }
            else:
                result[navigation.name] = (
                    self.entity(target, related[0], child_expand, child_select) if related else None
                )
        return result
