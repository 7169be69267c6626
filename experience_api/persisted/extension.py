"""Runs registered operations by id, and in persisted-only mode refuses everything else.

A request names a registered document either Apollo's way, with
``extensions.persistedQuery.sha256Hash``, or the GraphQL-over-HTTP way, with a top-level
``documentId`` (``sha256:<hex>``; the HTTP view passes it on as ``extensions.documentId``).

- An id alone runs the registered document, or fails with ``PERSISTED_QUERY_NOT_FOUND``.
- An id with a ``query`` (Apollo's second attempt) must match the query's hash, else
  ``PERSISTED_QUERY_HASH_MISMATCH``; the document is never added to the registry.
- In persisted-only mode a ``query`` whose exact text is not registered fails with
  ``PERSISTED_QUERY_REQUIRED``; a registered text runs like its id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from experience_api.limits.extension import refuse
from experience_api.persisted.registry import OperationRegistry, document_hash, normalise_id

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_INVALID = "PERSISTED_QUERY_INVALID"
DOCUMENT_ID = "documentId"

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PersistedPolicy:
    """The registry, and whether only its operations may run."""

    registry: OperationRegistry
    required: bool


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


class PersistedOperations(SchemaExtension):
    """Swaps a registered id for its document, or refuses the operation before parsing."""

    def __init__(self, policy: PersistedPolicy) -> None:
        self.policy = policy

    @classmethod
    def factory(cls, policy: PersistedPolicy) -> Callable[[], PersistedOperations]:
        """One fresh extension per operation, as strawberry expects."""
        return lambda: cls(policy)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        try:
            document = self._document(context.query, context.operation_extensions or {})
        except _Refused as refused:
            refuse(context, refused.error)
        else:
            context.query = document
        yield

    def _document(self, query: str | None, extensions: Mapping[str, Any]) -> str | None:
        requested = _requested_id(extensions)
        registry = self.policy.registry
        if requested is None:
            if query and self.policy.required and not registry.holds(query):
                raise _Refused(
                    PERSISTED_QUERY_REQUIRED,
                    "This server runs only registered operations: send the id of a "
                    "persisted operation (documentId or extensions.persistedQuery.sha256Hash), "
                    "or a document exactly as registered.",
                )
            return query
        registered = registry.get(requested)
        if query:
            if document_hash(query) != requested:
                raise _Refused(
                    PERSISTED_QUERY_HASH_MISMATCH,
                    f"The query's sha256 is {document_hash(query)}, not the id sent ({requested}).",
                )
            if registered is None and self.policy.required:
                raise _not_found(requested)
            return query
        if registered is None:
            raise _not_found(requested)
        return registered


def _not_found(requested: str) -> _Refused:
    return _Refused(
        PERSISTED_QUERY_NOT_FOUND,
        f"No persisted operation has the id {requested}; this server does not register "
        "operations on request.",
    )


def _requested_id(extensions: Mapping[str, Any]) -> str | None:
    persisted = extensions.get("persistedQuery")
    document_id = extensions.get(DOCUMENT_ID)
    if persisted is None and document_id is None:
        return None
    if persisted is not None:
        value = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        source = "extensions.persistedQuery.sha256Hash"
    else:
        value, source = document_id, DOCUMENT_ID
    if not isinstance(value, str) or not _HEX_SHA256.match(normalise_id(value)):
        raise _Refused(
            PERSISTED_QUERY_INVALID,
            f"{source} must be a SHA-256 hash in hex (64 characters, optionally prefixed "
            "with 'sha256:').",
        )
    return normalise_id(value)
