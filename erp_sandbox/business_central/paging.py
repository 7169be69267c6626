"""Collection answers: ``$filter``, ``$orderby``, ``$skip``/``$top``, ``$select``, ``$count``
and server-driven paging with ``@odata.nextLink`` (``Prefer: odata.maxpagesize``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from erp_sandbox.business_central.errors import BcError, bad_request
from erp_sandbox.business_central.filters import parse_filter
from erp_sandbox.business_central.records import Row, shown

SKIPTOKEN = "$skiptoken"
KNOWN_OPTIONS = {
    "$filter",
    "$orderby",
    "$skip",
    "$top",
    "$select",
    "$expand",
    "$count",
    SKIPTOKEN,
    "$schemaversion",
    "tenant",
    "company",
}


def _int(request: Request, name: str) -> int | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    if not text.isdigit():
        raise bad_request(f"The value '{text}' of {name} is not a non-negative integer.")
    return int(text)


def max_page_size(request: Request, server_limit: int) -> tuple[int, bool]:
    """The page size to answer with, and whether the client's preference was applied."""
    for preference in request.headers.get("prefer", "").split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, min(int(value.strip()), server_limit)), True
    return server_limit, False


def selected(request: Request, fields: tuple[str, ...]) -> list[str] | None:
    text = request.query_params.get("$select")
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    for name in names:
        if name not in fields:
            raise BcError(
                400,
                "BadRequest_NotFound",
                f"Could not find a property named '{name}' on type 'Microsoft.NAV.entity'.",
            )
    return names


def _ordered(rows: list[Row], orderby: str | None, fields: tuple[str, ...]) -> list[Row]:
    if not orderby:
        return rows
    out = list(rows)
    for clause in reversed([c.strip() for c in orderby.split(",") if c.strip()]):
        name, _, direction = clause.partition(" ")
        if name not in fields or direction.strip() not in ("", "asc", "desc"):
            raise bad_request(f"Invalid $orderby clause '{clause}'.")
        present = [r for r in out if r.get(name) is not None]
        absent = [r for r in out if r.get(name) is None]
        present.sort(key=lambda r: r[name], reverse=direction.strip() == "desc")
        out = absent + present if direction.strip() != "desc" else present + absent
    return out


@dataclass(frozen=True)
class Collection:
    """One entity set as a request reads it."""

    rows: list[Row]
    fields: tuple[str, ...]
    context: str
    expand: Callable[[Row, str], list[Row]] | None = None
    expandable: tuple[str, ...] = ()
    expanded_fields: tuple[str, ...] = ()
    etags: bool = True


def expansion(request: Request, collection: Collection) -> str | None:
    text = request.query_params.get("$expand")
    if text is None:
        return None
    if text not in collection.expandable:
        raise bad_request(f"Could not find a navigation property named '{text}'.")
    return text


def render(
    request: Request, collection: Collection, row: Row, select: list[str] | None, expand: str | None
) -> dict[str, Any]:
    out = shown(row, collection.fields, select)
    if not collection.etags:
        out.pop("@odata.etag", None)
    if expand and collection.expand is not None:
        out[expand] = [shown(r, collection.expanded_fields) for r in collection.expand(row, expand)]
    return out


def answer(
    request: Request, collection: Collection, server_limit: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body of a collection read and the headers to add."""
    unknown = {k for k in request.query_params if k.startswith("$")} - KNOWN_OPTIONS
    if unknown:
        raise bad_request(f"The query parameter '{sorted(unknown)[0]}' is not supported.")
    rows = collection.rows
    text = request.query_params.get("$filter")
    if text:
        predicate = parse_filter(text, collection.fields)
        rows = [r for r in rows if predicate(r)]
    rows = _ordered(rows, request.query_params.get("$orderby"), collection.fields)
    total = len(rows)
    skip, top = _int(request, "$skip") or 0, _int(request, "$top")
    window = rows[skip:] if top is None else rows[skip : skip + top]
    token = _int(request, SKIPTOKEN) or 0
    size, applied = max_page_size(request, server_limit)
    page = window[token : token + size]
    select, expand = selected(request, collection.fields), expansion(request, collection)
    body: dict[str, Any] = {"@odata.context": collection.context}
    if request.query_params.get("$count") == "true":
        body["@odata.count"] = total
    body["value"] = [render(request, collection, r, select, expand) for r in page]
    if token + size < len(window):
        params = [(k, v) for k, v in request.query_params.multi_items() if k != SKIPTOKEN]
        params.append((SKIPTOKEN, str(token + size)))
        body["@odata.nextLink"] = f"{request.url.replace(query='')}?{urlencode(params)}"
    headers = {"Preference-Applied": f"odata.maxpagesize={size}"} if applied else {}
    return body, headers
