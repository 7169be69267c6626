"""An httpx transport that passes requests on and remembers them, for tests that count the
requests a client sends (reads batched, CSRF tokens reused, JSON-RPC calls made...)."""

from __future__ import annotations

import json

import httpx


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request to ``inner`` (the network when omitted) and keeps it."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    @property
    def urls(self) -> list[str]:
        """The URL of every request, in the order sent."""
        return [str(r.url) for r in self.requests]

    @property
    def rpc_methods(self) -> list[str]:
        """The ``method`` of every JSON-RPC request, in the order sent."""
        return [json.loads(r.content)["method"] for r in self.requests]

    def header(self, name: str) -> str | None:
        """The last value of header ``name`` any request carried (``None`` if none did)."""
        for request in reversed(self.requests):
            if name in request.headers:
                return request.headers[name]
        return None

    def reset(self) -> None:
        """Forget the requests seen so far."""
        self.requests.clear()
