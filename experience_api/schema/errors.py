"""Errors a client may see, and the extension that masks every other one.

Query resolvers raise :class:`ClientError` for a wrong request (bad page size, malformed
cursor, unknown connection) or a flow error the client can act on; its message and its
``extensions`` (``code``, ``field``, ``retryAfter``) reach the client unchanged. Any other
exception raised while resolving is a bug or an internal failure: the client sees
"Unexpected error." and operators find the original, with its traceback, in the log.
Mutations do not raise for expected failures; they return typed user errors instead
(see :mod:`experience_api.schema.user_errors`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from process_apis.errors import ErpUnavailable, FlowError, RecordNotFound

UNEXPECTED_ERROR_MESSAGE = "Unexpected error."


class ClientError(Exception):
    """A failure explained to the client; graphql-core copies ``extensions`` to the error."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "INVALID_INPUT",
        field: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.extensions: dict[str, Any] = {"code": code}
        if field is not None:
            self.extensions["field"] = field
        if retry_after is not None:
            self.extensions["retryAfter"] = retry_after

    @classmethod
    def from_flow_error(cls, exc: FlowError) -> ClientError:
        return cls(
            exc.message,
            code=exc.code,
            field=graphql_field(exc.field),
            retry_after=exc.retry_after if isinstance(exc, ErpUnavailable) else None,
        )


@contextmanager
def client_errors() -> Iterator[None]:
    """Re-raise flow errors inside the block as :class:`ClientError`."""
    try:
        yield
    except FlowError as exc:
        raise ClientError.from_flow_error(exc) from exc


@contextmanager
def none_if_not_found() -> Iterator[None]:
    """Like :func:`client_errors`, but a missing record is left to the caller (it sees None)."""
    try:
        yield
    except RecordNotFound:
        pass
    except FlowError as exc:
        raise ClientError.from_flow_error(exc) from exc


def graphql_field(path: str | None) -> str | None:
    """A flow's field path (``lines.0.quantity``, ``customer_id``) in the schema's camelCase."""
    if not path:
        return None
    return ".".join(_camel(part) for part in path.split("."))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def is_unexpected(error: GraphQLError) -> bool:
    """True for an error raised while resolving that is not a :class:`ClientError`.

    Errors without a path come from parsing, validation or coercion of the client's own
    document and variables; they describe only what the client sent and stay readable.
    """
    if error.path is None:
        return False
    return not isinstance(error.original_error, ClientError)


class MaskUnexpectedErrors(MaskErrors):
    """Replaces every unexpected error with "Unexpected error." (no message, no traceback)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=UNEXPECTED_ERROR_MESSAGE)
