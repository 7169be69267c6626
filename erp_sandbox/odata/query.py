"""Resource paths and system query options of OData v2 requests.

:func:`parse_resource_path` reads ``Set``, ``Set('1')``, ``Set(A='1',B='10')``,
``Set/$count``, ``Set('1')/to_Item`` and ``Set('1')/to_Item/$count``;
:func:`parse_query` reads ``$filter``, ``$select``, ``$expand``, ``$orderby``, ``$top``,
``$skip``, ``$skiptoken``, ``$inlinecount`` and ``$format``. Anything malformed is a 400 with
an SAP error body; unknown sets and navigations are a 404.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from erp_sandbox.odata.edm import (
    EntitySet,
    EntityType,
    NavigationProperty,
    Property,
    Service,
)
from erp_sandbox.odata.errors import ODataError, bad_request, not_found
from erp_sandbox.odata.filter import Expression, kind_of, parse_filter
from erp_sandbox.odata.tokens import parse_key_predicate
from erp_sandbox.odata.values import canonical

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$", re.DOTALL)
_OPTIONS = frozenset(
    {
        "$filter",
        "$select",
        "$expand",
        "$orderby",
        "$top",
        "$skip",
        "$skiptoken",
        "$inlinecount",
        "$format",
    }
)


@dataclass
class ExpandTree:
    """Navigations to expand, each with the navigations to expand below it."""

    children: dict[str, ExpandTree] = field(default_factory=dict)


@dataclass
class SelectTree:
    """What ``$select`` keeps at one level: properties (None: all) and navigations."""

    properties: set[str] | None = field(default_factory=set)
    navigations: dict[str, SelectTree | None] = field(default_factory=dict)


@dataclass
class QueryOptions:
    """The system query options of a read."""

    filter: Expression | None = None
    select: SelectTree | None = None
    expand: ExpandTree = field(default_factory=ExpandTree)
    orderby: list[tuple[Property, bool]] = field(default_factory=list)
    top: int | None = None
    skip: int = 0
    skiptoken: int | None = None
    inlinecount: bool = False


@dataclass(frozen=True)
class ResourcePath:
    """The addressed resource: a set, maybe one entity, maybe a navigation, maybe a count."""

    entity_set: EntitySet
    key: tuple[Any, ...] | None = None
    navigation: NavigationProperty | None = None
    count: bool = False


def parse_key(entity_type: EntityType, text: str) -> tuple[Any, ...]:
    """The key values addressed by the predicate ``text`` (without parentheses)."""
    parts = parse_key_predicate(text)
    props = entity_type.key_properties()
    if len(parts) == 1 and parts[0][0] is None and len(props) == 1:
        named = {props[0].name: parts[0][1]}
    elif all(name is not None for name, _ in parts):
        named = {str(name): literal for name, literal in parts}
        if len(named) != len(parts) or set(named) != {prop.name for prop in props}:
            raise bad_request(f"Invalid key predicate '({text})' for type '{entity_type.name}'")
    else:
        raise bad_request(f"Invalid key predicate '({text})' for type '{entity_type.name}'")
    values = []
    for prop in props:
        literal = named[prop.name]
        if literal.kind != kind_of(prop) or literal.value is None:
            raise bad_request(f"Invalid key value for property '{prop.name}'")
        values.append(canonical(prop, literal.value))
    return tuple(values)


def parse_resource_path(service: Service, segments: Sequence[str]) -> ResourcePath:
    """The resource addressed by the path ``segments`` below the service root."""
    match = _SEGMENT.match(segments[0])
    if match is None and "(" in segments[0]:
        raise bad_request(f"Invalid key predicate in segment '{segments[0]}'")
    if match is None:
        raise not_found(segments[0])
    name, predicate = match.groups()
    entity_set = service.entity_set(name)
    if entity_set is None:
        raise not_found(name)
    key = parse_key(entity_set.entity_type, predicate) if predicate is not None else None
    rest = list(segments[1:])
    if rest and rest[-1] == "":
        rest.pop()
    if not rest:
        return ResourcePath(entity_set, key)
    if rest == ["$count"] and key is None:
        return ResourcePath(entity_set, count=True)
    if key is None:
        raise bad_request(f"Segment '{rest[0]}' needs a key predicate on '{name}'")
    navigation = entity_set.entity_type.navigation(rest[0])
    if navigation is None:
        raise not_found(rest[0])
    if len(rest) == 1:
        return ResourcePath(entity_set, key, navigation)
    if rest[1:] == ["$count"] and navigation.many:
        return ResourcePath(entity_set, key, navigation, count=True)
    raise not_found("/".join(rest[1:]))


def _target_type(service: Service, navigation: NavigationProperty) -> EntityType:
    target = service.entity_set(navigation.target)
    if target is None:
        raise ODataError(500, "/IWBEP/CM_MGW_RT/000", f"Unknown set {navigation.target}")
    return target.entity_type


def _paths(text: str) -> list[list[str]]:
    paths = [item.strip() for item in text.split(",")]
    if any(not path for path in paths):
        raise bad_request(f"Invalid list '{text}'")
    return [[segment.strip() for segment in path.split("/")] for path in paths]


def _parse_expand(service: Service, entity_type: EntityType, text: str) -> ExpandTree:
    tree = ExpandTree()
    for path in _paths(text):
        node, current = tree, entity_type
        for segment in path:
            navigation = current.navigation(segment)
            if navigation is None:
                raise bad_request(
                    f"Property '{segment}' is not a navigation property of '{current.name}'"
                )
            node = node.children.setdefault(segment, ExpandTree())
            current = _target_type(service, navigation)
    return tree


def _select_path(
    service: Service, tree: SelectTree, entity_type: EntityType, path: list[str], expand: ExpandTree
) -> None:
    head, rest = path[0], path[1:]
    if head == "*" and not rest:
        tree.properties = None
        return
    if entity_type.property(head) is not None and not rest:
        if tree.properties is not None:
            tree.properties.add(head)
        return
    navigation = entity_type.navigation(head)
    if navigation is None:
        raise bad_request(f"Property '{head}' not found in type '{entity_type.name}'")
    if not rest:
        tree.navigations[head] = None
        return
    if head not in expand.children:
        raise bad_request(f"Navigation '{head}' in $select must also be in $expand")
    if head in tree.navigations and tree.navigations[head] is None:
        return
    child = tree.navigations.get(head) or SelectTree()
    tree.navigations[head] = child
    _select_path(service, child, _target_type(service, navigation), rest, expand.children[head])


def _parse_orderby(entity_type: EntityType, text: str) -> list[tuple[Property, bool]]:
    result = []
    for item in text.split(","):
        words = item.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad_request(f"Invalid $orderby '{text}'")
        prop = entity_type.property(words[0])
        if prop is None:
            raise bad_request(f"Property '{words[0]}' not found in type '{entity_type.name}'")
        result.append((prop, len(words) == 2 and words[1] == "desc"))
    return result


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise bad_request(f"Invalid value '{text}' of system query option '{name}'")
    return int(text)


def parse_query(
    service: Service, entity_type: EntityType, params: Sequence[tuple[str, str]]
) -> QueryOptions:
    """The system query options among ``params``; custom options are ignored."""
    seen: dict[str, str] = {}
    for name, value in params:
        if not name.startswith("$"):
            continue
        if name not in _OPTIONS:
            raise bad_request(f"System query option '{name}' is not supported")
        if name in seen:
            raise bad_request(f"System query option '{name}' is given more than once")
        seen[name] = value
    options = QueryOptions()
    if seen.get("$format", "json") != "json":
        raise bad_request(f"Format '{seen['$format']}' is not supported; use $format=json")
    if "$filter" in seen:
        options.filter = parse_filter(seen["$filter"], entity_type)
    if "$expand" in seen:
        options.expand = _parse_expand(service, entity_type, seen["$expand"])
    if "$select" in seen:
        options.select = SelectTree()
        for path in _paths(seen["$select"]):
            _select_path(service, options.select, entity_type, path, options.expand)
    if "$orderby" in seen:
        options.orderby = _parse_orderby(entity_type, seen["$orderby"])
    if "$top" in seen:
        options.top = _non_negative("$top", seen["$top"])
    if "$skip" in seen:
        options.skip = _non_negative("$skip", seen["$skip"])
    if "$skiptoken" in seen:
        options.skiptoken = _non_negative("$skiptoken", seen["$skiptoken"])
    inlinecount = seen.get("$inlinecount", "none")
    if inlinecount not in ("allpages", "none"):
        raise bad_request(f"Invalid value '{inlinecount}' of system query option '$inlinecount'")
    options.inlinecount = inlinecount == "allpages"
    return options
