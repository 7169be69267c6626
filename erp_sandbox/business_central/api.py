"""The API v2.0 endpoint: ``/v2.0/{tenant}/{environment}/api/v2.0/companies(...)/...``,
and the analytics API's item ledger entries (``api/microsoft/analytics/v1.0``), whose rows
name the location the v2.0 ones leave out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from erp_sandbox.business_central.auth import authenticate
from erp_sandbox.business_central.errors import BcError, bad_request, not_found
from erp_sandbox.business_central.paging import Collection, answer, expansion, render, selected
from erp_sandbox.business_central.posting import ship_and_invoice
from erp_sandbox.business_central.records import (
    ANALYTICS_ITEM_LEDGER,
    CHILDREN,
    FIELDS,
    Row,
    etag,
    json_value,
)
from erp_sandbox.business_central.sandbox import Sandbox

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z.]+)(?:\((?P<key>[^)]*)\))?$")
ENTITIES = {
    "customers": "Customer",
    "items": "Item",
    "salesOrders": "Sales Header",
    "salesOrderLines": "Sales Line",
    "salesShipments": "Sales Shipment Header",
    "salesShipmentLines": "Sales Shipment Line",
    "salesInvoices": "Sales Invoice Header",
    "salesInvoiceLines": "Sales Invoice Line",
    "employees": "Employee",
    "locations": "Location",
    "itemLedgerEntries": "Item Ledger Entry",
    "companies": "Company",
}
SHIP_AND_INVOICE = "Microsoft.NAV.shipAndInvoice"
ANALYTICS = "microsoft/analytics/v1.0"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status, {"OData-Version": "4.0", **(headers or {})})


def error_response(error: BcError) -> Response:
    return _json(error.body(), error.status, error.headers)


def _segments(rest: str) -> list[tuple[str, str | None]]:
    out = []
    for part in rest.strip("/").split("/"):
        match = _SEGMENT.match(part)
        if match is None:
            raise not_found("resource", part)
        key = match.group("key")
        out.append((match.group("name"), None if key is None else key.strip("'").lower()))
    return out


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def api_endpoint(request: Request) -> Response:
    sandbox = _sandbox(request)
    settings = sandbox.settings
    sandbox.count_request()
    try:
        if request.path_params["tenant"] != settings.tenant or (
            request.path_params["environment"] != settings.environment
        ):
            raise BcError(404, "NoEnvironment", "The environment does not exist.")
        claims = authenticate(request, settings)
        user = str(claims.get("appid", ""))
        sandbox.limits.enter(user)
        try:
            return await _dispatch(request, sandbox, _segments(request.path_params["rest"]))
        finally:
            sandbox.limits.leave(user)
    except BcError as error:
        return error_response(error)


def _context(request: Request, path: str) -> str:
    root = str(request.url).split("/companies", 1)[0]
    return f"{root}/$metadata#{path}"


async def _dispatch(
    request: Request, sandbox: Sandbox, segments: list[tuple[str, str | None]]
) -> Response:
    store = sandbox.store
    analytics = f"/api/{ANALYTICS}/" in request.url.path
    (first, company_id), rest = segments[0], segments[1:]
    if first != "companies":
        raise not_found("resource", first)
    if company_id is None:
        if rest or request.method != "GET":
            raise bad_request("Specify a company.")
        collection = Collection(
            [store.company], FIELDS["companies"], _context(request, "companies")
        )
        return _collection(request, sandbox, collection)
    if company_id != store.company["id"]:
        raise not_found("Company", f"Id='{company_id}'")
    if not rest:
        return _entity(
            request,
            Collection([], FIELDS["companies"], _context(request, "companies/$entity")),
            store.company,
        )
    name, key = rest[0]
    if analytics:
        if name != "itemLedgerEntries" or key is not None or len(rest) > 1:
            raise not_found("resource", name)
        collection = Collection(
            store.ledger, ANALYTICS_ITEM_LEDGER, _context(request, "itemLedgerEntries"), etags=False
        )
        return _collection(request, sandbox, collection)
    if name not in FIELDS or name == "companies":
        raise not_found("resource", name)
    rows = store.ledger if name == "itemLedgerEntries" else store.rows(name)
    if key is None and len(rest) == 1:
        if request.method == "GET":
            return _collection(request, sandbox, _set(request, sandbox, name, rows))
        if request.method == "POST" and name == "salesOrders":
            return _create_order(request, sandbox, await _body(request))
        raise BcError(405, "BadRequest_MethodNotAllowed", f"'{request.method}' is not allowed.")
    if key is None:
        raise not_found("resource", name)
    row = next((r for r in rows if r.get("id") == key), None)
    if row is None:
        raise not_found(ENTITIES.get(name, name), f"Id='{key}'")
    if len(rest) == 1:
        return await _single(request, sandbox, name, row)
    child, child_key = rest[1]
    if len(rest) == 2 and child == SHIP_AND_INVOICE and name == "salesOrders":
        if request.method != "POST":
            raise BcError(405, "BadRequest_MethodNotAllowed", "Actions are called with POST.")
        ship_and_invoice(store, row)
        return Response(status_code=204)
    if len(rest) == 2 and CHILDREN.get(name, ("",))[0] == child:
        lines = store.lines(child, row["id"])
        if child_key is None and request.method == "GET":
            return _collection(request, sandbox, _set(request, sandbox, child, lines))
        line = next((r for r in lines if r["id"] == child_key), None)
        if line is None:
            raise not_found(ENTITIES[child], f"Id='{child_key}'")
        return await _single(request, sandbox, child, line)
    raise not_found("resource", child)


def _set(request: Request, sandbox: Sandbox, name: str, rows: list[Row]) -> Collection:
    store = sandbox.store
    lines = CHILDREN.get(name)
    if lines is None:
        return Collection(rows, FIELDS[name], _context(request, name))
    return Collection(
        rows,
        FIELDS[name],
        _context(request, name),
        expand=lambda row, _: store.lines(lines[0], row["id"]),
        expandable=(lines[0],),
        expanded_fields=FIELDS[lines[0]],
    )


def _collection(request: Request, sandbox: Sandbox, collection: Collection) -> Response:
    body, headers = answer(request, collection, sandbox.settings.max_page_size)
    return _json(body, 200, headers)


def _entity(request: Request, collection: Collection, row: Row) -> Response:
    select, expand = selected(request, collection.fields), expansion(request, collection)
    body = {
        "@odata.context": collection.context,
        **render(request, collection, row, select, expand),
    }
    return _json(body, 200, {"ETag": etag(row)} if "id" in row else {})


async def _body(request: Request) -> Row:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise bad_request("The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


async def _single(request: Request, sandbox: Sandbox, name: str, row: Row) -> Response:
    collection = _set(request, sandbox, name, [])
    if request.method == "GET":
        return _entity(request, collection, row)
    if request.method == "PATCH" and name == "salesOrderLines":
        match = request.headers.get("if-match")
        if match is None:
            raise bad_request("Could not find the If-Match header; an update needs the ETag.")
        if match != "*" and match != etag(row):
            raise BcError(
                412,
                "Request_EntityChanged",
                "Could not save the changes because another user changed the "
                "record after you read it. Read it again and retry.",
            )
        sandbox.store.update_line(row, await _body(request))
        return _entity(request, collection, row)
    raise BcError(405, "BadRequest_MethodNotAllowed", f"'{request.method}' is not allowed here.")


def _create_order(request: Request, sandbox: Sandbox, body: Row) -> Response:
    order = sandbox.store.create_order(body)
    collection = _set(request, sandbox, "salesOrders", [])
    out = {
        "@odata.context": _context(request, "salesOrders/$entity"),
        **render(request, collection, order, None, expansion(request, collection)),
    }
    location = f"{str(request.url).split('?')[0]}({order['id']})"
    return _json(out, 201, {"ETag": etag(order), "Location": location})


__all__ = ["api_endpoint", "error_response", "json_value"]
