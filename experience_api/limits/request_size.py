"""A ceiling on the size of a request body: 413 before the body is read, or as soon as it passes.

``Content-Length`` is checked first; a body sent without one (chunked) or longer than it
claimed is counted as it streams in, and refused the moment it passes the limit, so the
server never holds more than the limit in memory.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from experience_api.limits.errors import REQUEST_TOO_LARGE, error_body, media_type_for


class _BodyTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class BodySizeLimit:
    """ASGI middleware answering 413 with a GraphQL error for a body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send, declared)
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(received)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge as exc:
            if started:  # pragma: no cover - the GraphQL view reads the body before answering
                raise
            await self._refuse(scope, send, exc.size)

    async def _refuse(self, scope: Scope, send: Send, size: int) -> None:
        body = json.dumps(
            error_body(
                REQUEST_TOO_LARGE,
                f"The request body is {size} bytes or more; at most {self.max_bytes} are allowed.",
                limit=self.max_bytes,
                actual=size,
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media_type_for(_header(scope, b"accept") or "").encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    declared = _header(scope, b"content-length")
    try:
        return None if declared is None else int(declared)
    except ValueError:
        return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value).decode("latin-1")
    return None
