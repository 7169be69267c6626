"""SAP's answers to the faults of ``sandbox.faults``, for the shared fault layer
(:mod:`erp_sandbox.faults.layer`) around the OData requests under ``/sap/opu/odata/sap/``.

A fault answered with an error (or a malformed body, or a dropped connection for ``down``)
never touches the data; it still counts in ``sandbox.request_count``. ``slow`` and
``reset_after_write`` let the request through, so the endpoint counts them.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from erp_sandbox.faults import (
    FAULT_HEADER,
    TRUNCATED_JSON,
    Decision,
)
from erp_sandbox.odata.errors import ODataError, sap_error_body
from erp_sandbox.sap.gateway import PREFIX, service_info
from erp_sandbox.sap.operations import json_response
from erp_sandbox.sap.services import find_service

SERVER_ERRORS = {
    500: ("/IWBEP/CM_MGW_RT/000", "In the context of Data Services an unknown internal error"),
    502: ("/IWFND/CM_BEC/026", "Bad gateway: no answer from the backend system"),
    503: ("/IWFND/CM_BEC/503", "Service unavailable: the backend system is overloaded"),
    504: ("/IWFND/CM_BEC/504", "Gateway timeout: the backend system did not answer in time"),
}
DOWN = ("/IWFND/CM_CONSUMER/503", "No server is available to handle this request")
THROTTLED = ("/IWFND/CM_CONSUMER/429", "Too many requests: rate limit of the user exceeded")

LOGON_PAGE = (
    b"<!DOCTYPE html><html><head><title>Logon</title></head><body>"
    b"<h1>SAP NetWeaver Application Server</h1><p>Your session has expired.</p></body></html>"
)


def _error(scope: Scope, status: int, code: str, message: str, headers: dict[str, str]) -> Response:
    segment = scope["path"][len(PREFIX) :].split("/")[0]
    info = service_info(find_service(segment), segment)
    if scope["method"] == "HEAD":
        return Response(status_code=status, headers=headers)
    error = ODataError(status, code, message, headers=headers)
    return json_response(sap_error_body(error, info), status, headers)


def fault_response(scope: Scope, decision: Decision) -> Response:
    """The answer of ``down`` (no disconnect), ``error_burst``, ``throttle`` or ``malformed``."""
    fault = decision.fault
    assert fault is not None
    headers: dict[str, str] = {FAULT_HEADER: fault.kind}
    if fault.kind == "malformed":
        body, media = (
            (TRUNCATED_JSON, "application/json; charset=utf-8")
            if fault.body == "truncated"
            else (LOGON_PAGE, "text/html; charset=utf-8")
        )
        if scope["method"] == "HEAD":
            body = b""
        return Response(body, 200, {"dataserviceversion": "2.0", **headers}, media_type=media)
    if fault.kind == "throttle":
        headers["Retry-After"] = str(1 if fault.retry_after is None else fault.retry_after)
        return _error(scope, 429, *THROTTLED, headers)
    if fault.kind == "down":
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return _error(scope, 503, *DOWN, headers)
    status = decision.status
    code, message = SERVER_ERRORS.get(status, ("/IWFND/CM_BEC/500", f"Server error {status}"))
    return _error(scope, status, code, message, headers)
