"""Helpers of the Tryton integration tests: an adapter on a running trytond, counted requests."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx

from system_apis.tryton import TrytonAdapter, TrytonClient

CONNECTION = "TRY"


class CountingTransport(httpx.AsyncBaseTransport):
    """The network, remembering the JSON-RPC method of every request."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.methods: list[str] = []
        self.authorization: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(json.loads(request.content)["method"])
        self.authorization = request.headers.get("Authorization", self.authorization)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def counts(self) -> Counter[str]:
        return Counter(self.methods)

    def reset(self) -> None:
        self.methods.clear()


def make_adapter(running: Any, transport: CountingTransport | None = None) -> TrytonAdapter:
    """An adapter logged in as admin on a ``RunningTryton`` (url, database, admin_password)."""
    client = TrytonClient(
        running.url,
        running.database,
        "admin",
        running.admin_password,
        transport=transport,
    )
    return TrytonAdapter(CONNECTION, client)
