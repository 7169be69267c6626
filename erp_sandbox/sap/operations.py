"""The OData operations of the sandbox: reads, creates, updates and function imports.

Each operation gets the request, the sandbox and the addressed service and returns the
response; failures are raised as :class:`~erp_sandbox.odata.errors.ODataError` and rendered
by the gateway.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from erp_sandbox.odata import filter_plans
from erp_sandbox.odata.edm import EntitySet, Row, Service
from erp_sandbox.odata.errors import ODataError, not_found
from erp_sandbox.odata.payload import parse_json_body
from erp_sandbox.odata.query import ExpandTree, QueryOptions, ResourcePath, parse_query
from erp_sandbox.odata.reader import (
    count_rows,
    filtered_rows,
    following,
    read_collection,
    read_entity,
)
from erp_sandbox.odata.serialize import Serializer, etag_selected
from erp_sandbox.sap.goods_movements import create_material_document
from erp_sandbox.sap.orders import create_sales_order, update_sales_order
from erp_sandbox.sap.rejection import update_sales_order_item
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.schema_people import EMPLOYEE_SERVICE
from erp_sandbox.sap.shipping import create_delivery
from erp_sandbox.sap.store import Transaction

JSON_TYPE = "application/json; charset=utf-8"
METHOD_NOT_ALLOWED = "/IWBEP/CM_MGW_RT/021"

Creator = Callable[[Transaction, dict[str, Any], datetime], Row]

CREATORS: dict[str, tuple[Creator, str, str, str]] = {
    "A_SalesOrder": (create_sales_order, "to_Item", "V1/311", "Standard Order {} has been saved"),
    "A_OutbDeliveryHeader": (
        create_delivery,
        "to_DeliveryDocumentItem",
        "VL/311",
        "Outbound Delivery {} has been saved",
    ),
    "A_MaterialDocumentHeader": (
        create_material_document,
        "to_MaterialDocumentItem",
        "M7/060",
        "Document {} posted",
    ),
}
"""Creatable entity sets: the process, the navigation answered expanded, the success message."""


def json_response(
    document: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer with the headers SAP Gateway sends."""
    all_headers = {"dataserviceversion": "2.0", **(headers or {})}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, all_headers, media_type=JSON_TYPE)


def sap_message(code: str, text: str) -> str:
    """An ``sap-message`` header value for a success message."""
    message = {
        "code": code,
        "message": text,
        "target": "",
        "severity": "success",
        "transition": True,
        "details": [],
    }
    return json.dumps(message)


def service_root(request: Request, service: Service) -> str:
    """The absolute URI of a service root (without the trailing slash)."""
    base = str(request.base_url).rstrip("/")
    if service is EMPLOYEE_SERVICE:
        return f"{base}/odata/v2"
    return f"{base}/sap/opu/odata/sap/{service.path_segment}"


def serializer(request: Request, sandbox: Sandbox, service: Service) -> Serializer:
    """A serializer of ``service`` for the answer to ``request``."""
    return Serializer(service, service_root(request, service), sandbox.store)


def _next_link(request: Request) -> Callable[[int], str]:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "$skiptoken"]

    def link(offset: int) -> str:
        query = urlencode([*params, ("$skiptoken", str(offset))], safe="$,'()/:")
        return str(request.url.replace(query=query))

    return link


def _entity_headers(writer: Serializer, entity_set: EntitySet, row: Row) -> dict[str, str]:
    etag = writer.etag(entity_set.entity_type, row)
    return {"ETag": etag} if etag is not None else {}


def _read_set(
    request: Request,
    sandbox: Sandbox,
    writer: Serializer,
    entity_set: EntitySet,
    options: QueryOptions,
) -> Response:
    """A top-level collection read; its selection is kept for the read's next pages."""
    query = request.query_params
    expression = options.filter
    seek = filter_plans.seek(expression, options.orderby) if expression is not None else None
    # A read after a position (the next window of a long read) keeps the selection without
    # the position and starts where the position falls in it.
    selection = seek[0] if seek is not None else expression
    rest = replace(options, filter=selection) if seek is not None else options
    key = (
        sandbox.store.generation,
        entity_set.name,
        selection.identity if selection is not None else None,
        query.get("$orderby"),
    )
    matching = sandbox.selections.rows(key, lambda: filtered_rows(sandbox.store, entity_set, rest))
    if expression is not None and seek is not None:
        matching = following(matching, expression)
    body = read_collection(
        writer,
        entity_set,
        matching,
        options,
        page_size=sandbox.settings.page_size,
        next_link=_next_link(request),
        selected=True,
    )
    return json_response(body)


def read(request: Request, sandbox: Sandbox, service: Service, path: ResourcePath) -> Response:
    """``GET`` of a collection, an entity, a navigation or a ``$count``."""
    params = list(request.query_params.multi_items())
    writer = serializer(request, sandbox, service)
    entity_set = path.entity_set
    if path.key is None:
        options = parse_query(service, entity_set.entity_type, params)
        if not path.count:
            return _read_set(request, sandbox, writer, entity_set, options)
        rows = sandbox.store.rows(entity_set.name)
    else:
        with sandbox.store.read() as tx:
            row = tx.get(entity_set.name, path.key)
        if row is None:
            raise not_found(entity_set.name)
        if path.navigation is None:
            options = parse_query(service, entity_set.entity_type, params)
            body = read_entity(writer, entity_set, row, options)
            if not etag_selected(entity_set.entity_type, options.select):
                return json_response(body)
            return json_response(body, headers=_entity_headers(writer, entity_set, row))
        rows = writer.related(path.navigation, row)
        entity_set = writer.target_set(path.navigation)
        if not path.navigation.many:
            if not rows:
                raise not_found(path.navigation.name)
            options = parse_query(service, entity_set.entity_type, params)
            body = read_entity(writer, entity_set, rows[0], options)
            return json_response(body, headers=_entity_headers(writer, entity_set, rows[0]))
    options = parse_query(service, entity_set.entity_type, params)
    if path.count:
        count = count_rows(entity_set, rows, options)
        return Response(str(count), 200, {"dataserviceversion": "2.0"}, media_type="text/plain")
    body = read_collection(
        writer,
        entity_set,
        rows,
        options,
        page_size=sandbox.settings.page_size,
        next_link=_next_link(request),
    )
    return json_response(body)


async def create(
    request: Request, sandbox: Sandbox, service: Service, path: ResourcePath
) -> Response:
    """``POST`` to an entity set: deep insert of a sales order or a delivery."""
    entity_set = path.entity_set
    creator = CREATORS.get(entity_set.name)
    if creator is None or not entity_set.creatable or path.key is not None or path.navigation:
        raise ODataError(
            405, METHOD_NOT_ALLOWED, f"Method 'POST' is not allowed for '{entity_set.name}'"
        )
    function, items, code, text = creator
    document = parse_json_body(await request.body())
    with sandbox.store.write() as tx:
        row = function(tx, document, sandbox.now())
    writer = serializer(request, sandbox, service)
    expand = ExpandTree({items: ExpandTree()})
    body = {"d": writer.entity(entity_set, row, expand)}
    key = str(row[entity_set.entity_type.keys[-1]])
    headers = {
        "Location": writer.uri(entity_set, row),
        "sap-message": sap_message(code, text.format(key)),
        **_entity_headers(writer, entity_set, row),
    }
    return json_response(body, 201, headers)


async def update(
    request: Request, sandbox: Sandbox, service: Service, path: ResourcePath, method: str
) -> Response:
    """``PATCH``, ``MERGE`` or ``PUT`` of a sales order header or item."""
    entity_set = path.entity_set
    updatable = entity_set.name in ("A_SalesOrder", "A_SalesOrderItem")
    if not updatable or path.key is None or path.navigation is not None:
        raise ODataError(
            405, METHOD_NOT_ALLOWED, f"Method '{method}' is not allowed for '{entity_set.name}'"
        )
    document = parse_json_body(await request.body())
    key = [str(part) for part in path.key]
    with sandbox.store.write() as tx:
        if entity_set.name == "A_SalesOrderItem":
            row = update_sales_order_item(tx, key[0], key[1], document, sandbox.now())
        else:
            row = update_sales_order(
                tx, key[0], document, request.headers.get("If-Match"), sandbox.now()
            )
    writer = serializer(request, sandbox, service)
    return Response(
        status_code=204,
        headers={"dataserviceversion": "2.0", **_entity_headers(writer, entity_set, row)},
    )
