"""Request bodies of creates and updates: JSON entities checked against their entity type.

``__metadata`` is ignored; properties are converted to Python values (400 when a value does not
fit its type or length); navigation properties are collected raw, accepting both a list and
OData v2's ``{"results": [...]}`` for to-many navigations (deep insert); anything else is a 400.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from erp_sandbox.odata.edm import EntityType
from erp_sandbox.odata.errors import ODataError
from erp_sandbox.odata.values import from_json

INVALID_BODY = "/IWBEP/CM_MGW_RT/004"
"""Code used for request bodies that are not what the entity type expects."""


@dataclass
class EntityPayload:
    """The converted properties of a body and its raw navigation contents."""

    values: dict[str, Any] = field(default_factory=dict)
    navigations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def invalid_body(message: str, target: str = "") -> ODataError:
    """400 for a body that does not fit."""
    return ODataError(400, INVALID_BODY, message, target=target)


def parse_json_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request body; 400 when it is not one."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        raise invalid_body("The request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise invalid_body("The request body must be a JSON object")
    inner = document.get("d")
    if len(document) == 1 and isinstance(inner, dict):
        return inner
    return document


def _entries(name: str, raw: Any, many: bool) -> list[dict[str, Any]]:
    if isinstance(raw, dict) and "results" in raw:
        raw = raw["results"]
    elif isinstance(raw, dict) and not many:
        raw = [raw]
    if isinstance(raw, dict) and "__deferred" in raw:
        return []
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise invalid_body(f"Navigation property '{name}' must hold a list of entities", name)
    return raw


def parse_entity(entity_type: EntityType, document: dict[str, Any]) -> EntityPayload:
    """The properties and navigations of ``document`` for ``entity_type``."""
    payload = EntityPayload()
    for name, raw in document.items():
        if name == "__metadata":
            continue
        prop = entity_type.property(name)
        if prop is not None:
            try:
                payload.values[name] = from_json(prop, raw)
            except ValueError as exc:
                raise invalid_body(str(exc), name) from None
            continue
        navigation = entity_type.navigation(name)
        if navigation is not None:
            payload.navigations[name] = _entries(name, raw, navigation.many)
            continue
        raise invalid_body(f"Property '{name}' is invalid for type '{entity_type.name}'", name)
    return payload
