"""The ASGI layer injecting the faults of ``sandbox.faults`` into OData requests.

It wraps the whole Starlette app (outside Starlette's error middleware) and looks only at
requests under ``/sap/opu/odata/sap/``; the admin endpoints under ``/sandbox/`` never fail.
Faults are decided before the request reaches the OData endpoint: a fault answered with an
error (or a malformed body, or a dropped connection for ``down``) never touches the data; it
still counts in ``sandbox.request_count``. ``slow`` and ``reset_after_write`` let the request
through, so the endpoint counts them.

Dropping a connection (``down`` with ``disconnect``, ``reset_after_write``):

* served by uvicorn: the app gets the bound ``send`` of uvicorn's request cycle, whose
  ``transport`` is the TCP connection; the layer aborts it before a single byte of the answer
  is written, and the client sees the server disconnect (``httpx.RemoteProtocolError`` or
  ``httpx.ReadError``).
* any other caller, notably ``httpx.ASGITransport``: the layer starts an answer and raises
  :class:`ConnectionDropped`, an ``httpx.RemoteProtocolError``. ``ASGITransport`` (with its
  default ``raise_app_exceptions=True``) re-raises it to the client as a transport error;
  an ASGI server closes the connection in the middle of the answer, as the ASGI spec asks.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import unquote

import httpx
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from erp_sandbox.odata.errors import ODataError, sap_error_body
from erp_sandbox.sap.fault_injector import Decision, RequestInfo
from erp_sandbox.sap.faults import Fault
from erp_sandbox.sap.gateway import CSRF_HEADER, MODIFYING, PREFIX, service_info
from erp_sandbox.sap.operations import json_response
from erp_sandbox.sap.sandbox import Sandbox
from erp_sandbox.sap.services import find_service

FAULT_HEADER = "x-sandbox-fault"
"""Header naming the injected fault kind on every answer made by the fault layer."""

SERVER_ERRORS = {
    500: ("/IWBEP/CM_MGW_RT/000", "In the context of Data Services an unknown internal error"),
    502: ("/IWFND/CM_BEC/026", "Bad gateway: no answer from the backend system"),
    503: ("/IWFND/CM_BEC/503", "Service unavailable: the backend system is overloaded"),
    504: ("/IWFND/CM_BEC/504", "Gateway timeout: the backend system did not answer in time"),
}
DOWN = ("/IWFND/CM_CONSUMER/503", "No server is available to handle this request")
THROTTLED = ("/IWFND/CM_CONSUMER/429", "Too many requests: rate limit of the user exceeded")

TRUNCATED_JSON = b'{"d":{"results":[{"__metadata":{"id":"'
LOGON_PAGE = (
    b"<!DOCTYPE html><html><head><title>Logon</title></head><body>"
    b"<h1>SAP NetWeaver Application Server</h1><p>Your session has expired.</p></body></html>"
)
DROP_WAIT_SECONDS = 2.0


class ConnectionDropped(httpx.RemoteProtocolError):
    """The sandbox dropped the connection instead of answering (raised in-process)."""


def describe(scope: Scope) -> RequestInfo:
    """What the fault rules match on in the request of ``scope``."""
    method = scope["method"]
    query = scope.get("query_string", b"").decode("latin-1")
    target = scope["path"] + (f"?{unquote(query)}" if query else "")
    fetch = Headers(scope=scope).get(CSRF_HEADER, "").strip().lower() == "fetch"
    return RequestInfo(target, method in MODIFYING, fetch and method in ("GET", "HEAD"))


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


def _server_transport(send: Send) -> Any:
    """The connection behind uvicorn's ``send``, or None for any other server."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport if callable(getattr(transport, "abort", None)) else None


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def drop_connection(receive: Receive, send: Send, start: Message | None = None) -> None:
    """Lose the answer: abort uvicorn's connection, or start an answer and raise."""
    transport = _server_transport(send)
    if transport is not None:
        transport.abort()
        # Return once the server saw the connection go, so it does not answer a 500 itself.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_until_disconnect(receive), DROP_WAIT_SECONDS)
        return
    await send(start or {"type": "http.response.start", "status": 503, "headers": []})
    raise ConnectionDropped("Server disconnected without sending a response.")


class FaultLayer:
    """ASGI middleware applying the sandbox's fault plan to OData requests."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        decision = self.sandbox.faults.decide(describe(scope))
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        fault = decision.fault
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "reset_after_write":
            await self._lose_answer(scope, receive, send)
        else:
            self.sandbox.count_request()
            await self._answer(scope, receive, send, fault, decision)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, fault: Fault, decision: Decision
    ) -> None:
        if fault.kind == "down" and fault.disconnect:
            await drop_connection(receive, send)
            return
        await fault_response(scope, decision)(scope, receive, send)

    async def _lose_answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Process the request completely, then drop the connection instead of answering."""
        start: Message | None = None

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, capture)
        await drop_connection(receive, send, start)
