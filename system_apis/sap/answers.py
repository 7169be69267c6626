"""The JSON answers of SAP OData services: collections and entities, read from responses.

:func:`collection_from` and :func:`entity_from` unwrap OData v2's ``{"d": ...}`` envelope,
:func:`values_from` the ``{"value": [...]}`` answer of an OData v4 action. A body that is
not such a document becomes :class:`~system_apis.contracts.errors.Unavailable`, or
:class:`~system_apis.contracts.errors.UnknownOutcome` after a write, since the ERP did act.

Bodies are decoded with orjson: a page of 50 orders with their items decodes in a fifth of
the standard library's time. It refuses what is not strict JSON (``NaN``, a lone
surrogate), as SAP never sends; integers beyond 64 bits would come back as floats, and
OData v2 sends such numbers (``Edm.Int64``, ``Edm.Decimal``) as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from system_apis.contracts.errors import Unavailable, UnknownOutcome

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ODataCollection:
    """One answer of a collection read: the entities and, when asked for, the total count."""

    results: list[JsonObject]
    count: int | None = None
    next_link: str | None = None


@dataclass(frozen=True)
class ODataEntity:
    """One entity and its ETag (from the ``ETag`` header or ``__metadata.etag``)."""

    data: JsonObject
    etag: str | None = None


def collection_from(response: httpx.Response, connection: str | None) -> ODataCollection:
    """A collection read: ``d.results``, ``d.__count`` and ``d.__next`` (or a bare list)."""
    payload = _json(response, write=False, connection=connection)
    if isinstance(payload, list):
        return ODataCollection(results=_objects(payload, connection))
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise Unavailable("SAP answered a collection read without d.results", connection=connection)
    count = payload.get("__count")
    try:
        total = int(count) if count is not None else None
    except (TypeError, ValueError) as exc:
        raise Unavailable(
            f"SAP answered an invalid __count {count!r}", connection=connection
        ) from exc
    next_link = payload.get("__next")
    return ODataCollection(
        results=_objects(payload["results"], connection),
        count=total,
        next_link=next_link if isinstance(next_link, str) and next_link else None,
    )


def entity_from(response: httpx.Response, *, write: bool, connection: str | None) -> ODataEntity:
    """One entity's answer; an empty body (``204``) is an empty entity."""
    if response.status_code == 204 or not response.content:
        return ODataEntity(data={}, etag=response.headers.get("ETag"))
    payload = _json(response, write=write, connection=connection)
    if not isinstance(payload, dict):
        raise _malformed("SAP answered an entity that is not a JSON object", write, connection)
    metadata = payload.get("__metadata")
    etag = response.headers.get("ETag")
    if etag is None and isinstance(metadata, dict) and isinstance(metadata.get("etag"), str):
        etag = metadata["etag"]
    return ODataEntity(data=payload, etag=etag)


def values_from(response: httpx.Response, connection: str | None) -> list[JsonObject]:
    """The entities of an OData v4 action's answer (``value``); a write's answer."""
    try:
        document = orjson.loads(response.content)
    except ValueError as exc:
        raise _malformed(
            f"SAP answered {response.status_code} with a body that is not JSON", True, connection
        ) from exc
    values = document.get("value") if isinstance(document, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise _malformed("SAP answered an action without a 'value' list", True, connection)
    return values


def _json(response: httpx.Response, *, write: bool, connection: str | None) -> Any:
    try:
        document = orjson.loads(response.content)
    except ValueError as exc:
        raise _malformed(
            f"SAP answered {response.status_code} with a body that is not JSON", write, connection
        ) from exc
    if not isinstance(document, dict) or "d" not in document:
        raise _malformed(
            f"SAP answered {response.status_code} with JSON that is not OData ('d' missing)",
            write,
            connection,
        )
    return document["d"]


def _malformed(message: str, write: bool, connection: str | None) -> Unavailable:
    # After a successful write the ERP did act; retrying blindly could do it twice.
    if write:
        return UnknownOutcome(message + "; the write may have happened", connection=connection)
    return Unavailable(message, connection=connection)


def _objects(items: list[Any], connection: str | None) -> list[JsonObject]:
    if not all(isinstance(item, dict) for item in items):
        raise Unavailable("SAP answered a collection of non-objects", connection=connection)
    return items
