"""What every sandbox's fault layer shares on the wire: the request as the fault rules see it,
the header naming an injected fault, a truncated JSON body, and dropping the connection.

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
from starlette.types import Message, Receive, Scope, Send

from erp_sandbox.faults.injector import RequestInfo

FAULT_HEADER = "x-sandbox-fault"
"""Header naming the injected fault kind on every answer made by a fault layer."""

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
CSRF_HEADER = "x-csrf-token"
"""Where a client asks for a CSRF token (``Fetch``); a plan may spare those requests."""

TRUNCATED_JSON = b'{"d":{"results":[{"__metadata":{"id":"'
DROP_WAIT_SECONDS = 2.0


class ConnectionDropped(httpx.RemoteProtocolError):
    """The sandbox dropped the connection instead of answering (raised in-process)."""


def describe(scope: Scope) -> RequestInfo:
    """What the fault rules match on in the request of ``scope``."""
    method = scope["method"]
    query = scope.get("query_string", b"").decode("latin-1")
    target = scope["path"] + (f"?{unquote(query)}" if query else "")
    fetch = Headers(scope=scope).get(CSRF_HEADER, "").strip().lower() == "fetch"
    return RequestInfo(target, method in WRITE_METHODS, fetch and method in ("GET", "HEAD"))


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
