"""The error a client gets when a request goes over one of the gateway's limits, or is
refused as malformed before any operation in it runs."""

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
BAD_REQUEST_BODY = "BAD_REQUEST_BODY"
JSON_TOO_DEEP = "JSON_TOO_DEEP"
NUMBER_TOO_LARGE = "NUMBER_TOO_LARGE"
UNSUPPORTED_CHARACTER = "UNSUPPORTED_CHARACTER"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
OPERATION_NAME_REQUIRED = "OPERATION_NAME_REQUIRED"
UNKNOWN_OPERATION = "UNKNOWN_OPERATION"
OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_FOUND = "NOT_FOUND"


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


GRAPHQL_RESPONSE = "application/graphql-response+json"


def media_type_for(accept: str) -> str:
    """The media type of an answer: ``application/graphql-response+json`` to a client that
    accepts it, else the legacy ``application/json``; JSON is always UTF-8."""
    chosen = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else "application/json"
    return f"{chosen}; charset=utf-8"
