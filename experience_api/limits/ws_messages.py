"""What a WebSocket message must look like before strawberry's protocol handlers act on it.

Strawberry reads ``message["type"]``, ``message["id"]`` and the payload's ``query`` as they
come: a message that is a JSON array, an ``id`` that is a list, or a ``query`` that is a
number fails inside the handler (a traceback, and an operation run with whatever it got).
Both protocols here check the shape first and close the connection with 4400 (the
graphql-transport-ws code for an invalid message), naming what is wrong.
"""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

INVALID_MESSAGE = 4400
_STARTS_AN_OPERATION = frozenset({"subscribe", "start"})


def message_problem(message: object) -> str | None:
    """Why ``message`` is not a well-formed protocol message, or None when it is."""
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    if not isinstance(message.get("type"), str):
        return "a message needs a string `type`"
    if "id" in message and not isinstance(message["id"], str):
        return "`id` must be a string"
    if message["type"] not in _STARTS_AN_OPERATION:
        return None
    if "id" not in message:
        return "`id` is required"
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "`payload` must be an object"
    if not isinstance(payload.get("query"), str):
        return "`payload.query` must be a string"
    if not isinstance(payload.get("operationName"), str | None):
        return "`payload.operationName` must be a string or null"
    for key in ("variables", "extensions"):
        if not isinstance(payload.get(key), dict | None):
            return f"`payload.{key}` must be an object or null"
    return None


class CheckedTransportWsHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws, refusing a malformed message before handling it."""

    async def handle_message(self, message: Any) -> None:
        problem = message_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)


class CheckedWsHandler(BaseGraphQLWSHandler[Any, Any]):
    """The legacy graphql-ws protocol, refusing a malformed message the same way."""

    async def handle_message(self, message: Any) -> None:
        problem = message_problem(message)
        if problem is not None:
            await self.websocket.close(code=INVALID_MESSAGE, reason=problem)
            return
        await super().handle_message(message)
