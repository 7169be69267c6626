"""The SuiteTalk REST endpoints: the record service and SuiteQL.

Every request is authenticated (:mod:`.tba`) and counted against the account's concurrency
limit (429 ``CONCURRENCY_LIMIT_EXCEEDED`` beyond it) before it is handled; the work runs in a
worker thread, so concurrent requests are in flight together as on NetSuite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from erp_sandbox.netsuite import adjustments, closing, records, transactions
from erp_sandbox.netsuite.errors import INVALID_LOGIN, NsError
from erp_sandbox.netsuite.oauth2 import TOKEN_PATH, OAuthRefusal
from erp_sandbox.netsuite.sandbox import Sandbox
from erp_sandbox.netsuite.settings import MAX_PAGE

REST = "/services/rest"
SUITEQL = f"{REST}/query/v1/suiteql"
MEDIA = "application/vnd.oracle.resource+json; type=error"


def error_response(error: NsError) -> Response:
    return JSONResponse(
        error.body(), error.status, headers={"Content-Type": MEDIA}, media_type=MEDIA
    )


def _paging(request: Request) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", MAX_PAGE))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        raise NsError(400, "INVALID_PARAMETER", "Invalid limit or offset.") from None
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise NsError(
            400,
            "INVALID_PARAMETER",
            f"Invalid value of parameter limit: the value must be between 1 and {MAX_PAGE}.",
            errorQueryParam="limit",
        )
    return limit, offset


async def endpoint(request: Request) -> Response:
    """Authenticates, applies the concurrency limit, then handles the request."""
    sandbox: Sandbox = request.app.state.sandbox
    header = request.headers.get("authorization") or ""
    if request.url.path == TOKEN_PATH:
        return await _token(sandbox, request)
    try:
        if header[:7].lower() == "bearer ":
            if not sandbox.oauth2.valid(header[7:].strip()):
                raise NsError(401, "INVALID_LOGIN", INVALID_LOGIN)
        else:
            sandbox.tokens.verify(request.method, str(request.url), header or None)
    except NsError as error:
        return error_response(error)
    if not sandbox.enter():
        return error_response(
            NsError(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. "
                    "Request blocked.")
        )  # fmt: skip
    try:
        body = await request.body()
        return await run_in_threadpool(_handle, sandbox, request, body)
    except NsError as error:
        return error_response(error)
    finally:
        sandbox.leave()


async def _token(sandbox: Sandbox, request: Request) -> Response:
    if request.method != "POST":
        return JSONResponse({"error": "invalid_request"}, 405)
    form = {key: str(value) for key, value in (await request.form()).items()}
    url = f"{request.url.scheme}://{request.url.netloc}{TOKEN_PATH}"
    try:
        return JSONResponse(sandbox.oauth2.issue(form, url))
    except OAuthRefusal as refusal:
        return JSONResponse(refusal.body, refusal.status)


def _handle(sandbox: Sandbox, request: Request, raw: bytes) -> Response:
    path = request.url.path
    if path == SUITEQL:
        if request.method != "POST":
            raise NsError(405, "INVALID_METHOD", "Method not allowed.")
        return _suiteql(sandbox, request, _json(raw))
    if not path.startswith(records.ROOT + "/"):
        raise NsError(404, "NONEXISTENT_ID", "Resource not found.")
    parts = path[len(records.ROOT) + 1 :].split("/")
    kind = parts[0]
    if kind not in records.RECORD_TYPES:
        raise NsError(404, "INVALID_RCRD_TYPE", f"Record type '{kind}' does not exist.")
    base = f"{request.url.scheme}://{request.url.netloc}"
    method = request.method
    if len(parts) == 1 and method == "GET":
        limit, offset = _paging(request)
        if "q" in request.query_params:
            raise NsError(400, "INVALID_PARAMETER", "The sandbox does not evaluate q.")
        with sandbox.store.read() as db:
            ids, total = records.collection_ids(db, kind, offset, limit)
        return JSONResponse(records.collection(base, kind, ids, offset, limit, total))
    if len(parts) == 1 and method == "POST":
        return _created(sandbox, base, kind, _create(kind), _json(raw))
    if len(parts) == 2 and method == "GET":
        expand = request.query_params.get("expandSubResources", "false").lower() == "true"
        with sandbox.store.read() as db:
            return JSONResponse(records.record(db, base, kind, parts[1], expand))
    if len(parts) == 2 and method == "PATCH" and kind == "salesOrder":
        body = _json(raw)
        with sandbox.store.write() as db:
            number = records.find_id(db, kind, parts[1])
            closing.close_lines(db, number, body, sandbox.now())
        return Response(status_code=204)
    if len(parts) == 2 and method == "PATCH" and kind == "itemFulfillment":
        body = _json(raw)
        with sandbox.store.write() as db:
            number = records.find_id(db, kind, parts[1])
            status = body.get("shipStatus")
            if status is not None:
                if not isinstance(status, dict):
                    raise NsError(400, "INVALID_FLD_VALUE", "Invalid value for field shipStatus.")
                transactions.set_ship_status(db, number, str(status.get("id")), sandbox.now())
        return Response(status_code=204)
    if len(parts) == 4 and parts[2] == "!transform" and method == "POST" and kind == "salesOrder":
        target = parts[3]
        if target not in ("itemFulfillment", "invoice"):
            raise NsError(400, "INVALID_TRANSFORM", f"Cannot transform salesOrder to {target}.")
        body = _json(raw)
        with sandbox.store.write() as db:
            number = records.find_id(db, kind, parts[1])
            now = sandbox.now()
            if target == "itemFulfillment":
                created = transactions.fulfil(db, number, body, now)
            else:
                created = transactions.bill(db, number, now)
        return _location(base, target, created)
    raise NsError(405, "INVALID_METHOD", f"{method} is not allowed on {path}.")


Creator = Callable[[sqlite3.Connection, dict[str, Any], Any], int]


def _create(kind: str) -> Creator:
    if kind == "salesOrder":
        return transactions.create_sales_order
    if kind == "inventoryAdjustment":
        return adjustments.adjust_inventory
    raise NsError(405, "INVALID_METHOD", f"The sandbox does not create {kind} records.")


def _created(sandbox: Sandbox, base: str, kind: str, create: Creator, body: Any) -> Response:
    with sandbox.store.write() as db:
        number = create(db, body, sandbox.now())
    return _location(base, kind, number)


def _location(base: str, kind: str, number: int) -> Response:
    return Response(status_code=204, headers={"Location": f"{base}{records.ROOT}/{kind}/{number}"})


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise NsError(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise NsError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
    return body


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _suiteql(sandbox: Sandbox, request: Request, body: dict[str, Any]) -> Response:
    if request.headers.get("prefer", "").strip().lower() != "transient":
        raise NsError(400, "INVALID_HEADER", "SuiteQL requests need the header Prefer: transient.")
    limit, offset = _paging(request)
    query = body.get("q")
    if not isinstance(query, str) or not query.strip().upper().startswith("SELECT"):
        raise NsError(400, "INVALID_PARAMETER", "Invalid search query: q must be a SELECT.")
    try:
        rows = sandbox.store.suiteql(query)
    except (sqlite3.Error, ValueError) as error:
        raise NsError(
            400,
            "INVALID_PARAMETER",
            "Invalid search query. Detailed unprocessed description follows. "
            f"Search error occurred: {error}",
        ) from None
    page = rows[offset : offset + limit]
    base = f"{request.url.scheme}://{request.url.netloc}{SUITEQL}"
    links = records.page_links(base, limit, offset, len(rows))
    items = [
        {"links": [], **{k: _text(v) for k, v in row.items() if v is not None}} for row in page
    ]
    return JSONResponse(
        {
            "links": links,
            "count": len(items),
            "hasMore": offset + len(page) < len(rows),
            "items": items,
            "offset": offset,
            "totalResults": len(rows),
        }
    )
