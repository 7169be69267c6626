"""``GET /export/{kind}?connection=C``: a whole record set as an NDJSON stream.

Authentication and rate limits are the middleware's, as for ``/graphql``; the policy is
:func:`~experience_api.export.session.open_export`'s. A refusal is answered before the
stream starts (400 unknown kind or connection, 403 missing scope, 503 audit log down). A
failure after the first record cannot change the status any more: the stream ends with one
line ``{"error": {"code": ..., "message": ...}}``, so a client tells a cut export from a
complete one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from experience_api.export.ndjson import error_line, lines
from experience_api.export.session import ExportForbidden, open_export
from experience_api.gateway import Gateway
from experience_api.security.middleware import PRINCIPAL_KEY
from experience_api.security.principal import Principal
from process_apis.errors import ErpUnavailable, FlowError
from process_apis.export import ExportPlan

log = logging.getLogger(__name__)
NDJSON = "application/x-ndjson"
EXPORT_PATH = "/export/{kind}"


async def export(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    principal: Principal = getattr(request.state, PRINCIPAL_KEY)
    connection = request.query_params.get("connection") or None
    try:
        plan = await open_export(
            gateway.services, principal, request.path_params["kind"], connection
        )
    except ExportForbidden as exc:
        body = {"code": exc.code, "message": exc.message, "requiredScope": exc.required_scope}
        return JSONResponse({"error": body}, 403)
    except FlowError as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 400)
    except Exception:
        log.exception("export refused: the audit entry could not be written")
        body = {"code": "UNAVAILABLE", "message": "the export could not be recorded"}
        return JSONResponse({"error": body}, 503)
    blocks = lines(plan)
    # The first chunk is read before the status goes out: an ERP that is down is a 503.
    try:
        first = await anext(blocks, b"")
    except ErpUnavailable as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 503)
    except FlowError as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 400)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return StreamingResponse(_guarded(plan, first, blocks), media_type=NDJSON, headers=headers)


async def _guarded(
    plan: ExportPlan, first: bytes, rest: AsyncIterator[bytes]
) -> AsyncIterator[bytes]:
    yield first
    try:
        async for block in rest:
            yield block
    except FlowError as exc:
        log.warning("export of %s stopped: %s", plan.kind.value, exc.message)
        yield error_line(exc.code, exc.message)
