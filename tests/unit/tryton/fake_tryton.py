"""A trytond JSON-RPC endpoint in memory, for httpx.MockTransport.

It answers ``common.db.login`` with a new session key, refuses calls without a valid
``Authorization: Session`` header with 401 like trytond, and hands every other call to a
handler by method name. A handler returns the ``result``, or raises :class:`RpcError` for an
``error`` answer, or returns an ``httpx.Response`` to answer with.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx

from system_apis.tryton import codec

DATABASE = "gw"
Handler = Callable[[list[Any]], Any]


class RpcError(Exception):
    def __init__(self, error: Any) -> None:
        super().__init__(error)
        self.error = error


class FakeTryton:
    def __init__(self, handlers: dict[str, Handler] | None = None) -> None:
        self.handlers: dict[str, Handler] = {
            "model.res.user.get_preferences": lambda params: {"company": 1, "companies": [1]},
            **(handlers or {}),
        }
        self.requests: list[httpx.Request] = []
        self.calls: list[tuple[str, list[Any]]] = []
        self.logins = 0
        self.valid: set[str] = set()
        self.password = "secret"

    def expire_sessions(self) -> None:
        self.valid.clear()

    @property
    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def count(self, method: str) -> int:
        return sum(1 for name in self.methods if name == method)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.method == "POST"
        assert request.url.path == f"/{DATABASE}/rpc/"
        body = codec.decode(request.content)
        method, params = body["method"], body["params"]
        if method == "common.db.login":
            self.calls.append((method, params))
            return self._login(body["id"], params)
        if not self._authorised(request):
            return httpx.Response(401, text="")
        self.calls.append((method, params))
        handler = self.handlers.get(method)
        if handler is None:
            return httpx.Response(403, text="Forbidden")
        try:
            answer = handler(params)
        except RpcError as exc:
            return self._json({"id": body["id"], "error": exc.error})
        if isinstance(answer, httpx.Response):
            return answer
        return self._json({"id": body["id"], "result": answer})

    def _login(self, request_id: int, params: list[Any]) -> httpx.Response:
        user, parameters, _language = params
        if parameters.get("password") != self.password:
            return httpx.Response(401, text="")
        self.logins += 1
        key = f"key-{self.logins}"
        self.valid.add(f"{user}:1:{key}")
        return self._json({"id": request_id, "result": [1, key, None]})

    def _authorised(self, request: httpx.Request) -> bool:
        header = request.headers.get("Authorization", "")
        kind, _, token = header.partition(" ")
        if kind != "Session":
            return False
        return base64.b64decode(token).decode() in self.valid

    @staticmethod
    def _json(document: Any) -> httpx.Response:
        return httpx.Response(
            200, content=codec.encode(document), headers={"Content-Type": "application/json"}
        )
