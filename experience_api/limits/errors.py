"""The error a client gets when a request goes over one of the gateway's limits."""

from __future__ import annotations

from graphql import GraphQLError, Node

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
BATCHING_DISABLED = "BATCHING_DISABLED"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"


def limit_error(
    code: str, message: str, *, limit: int, actual: int, node: Node | None = None
) -> GraphQLError:
    """A request error naming the limit and what the request measured against it.

    ``extensions`` carry ``code``, ``limit`` and ``actual`` so a client can tell which limit
    it hit and by how much without parsing the message.
    """
    return GraphQLError(
        message,
        node,
        extensions={"code": code, "limit": limit, "actual": actual},
    )


def error_body(code: str, message: str, **extensions: object) -> dict[str, object]:
    """A GraphQL response body holding one request error, for answers given outside strawberry."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


class RequestRefused(Exception):
    """A whole HTTP request refused before any operation in it is looked at."""

    def __init__(self, code: str, message: str, status: int = 400, **extensions: object) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(code, message, **extensions)
