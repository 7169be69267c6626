"""What resolvers use to authorize: scope checks and the row-level boundary.

A field or mutation the caller lacks the scope for fails with a GraphQL error whose
``extensions.code`` is ``FORBIDDEN`` (and ``requiredScope`` names the scope); the rest of
the response still resolves. Row level: a list reads only the connections the caller may
see, a record of another connection read by id is null (as if it did not exist: no
existence leak), and a mutation on one is FORBIDDEN. Field level: :func:`guarded` gives a
sensitive field's value only to a caller holding its scope (see
:mod:`experience_api.schema.field_access`).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from strawberry.permission import BasePermission

from experience_api.schema.context import Info
from experience_api.schema.errors import ClientError
from experience_api.schema.field_access import Disclosure
from experience_api.security.permissions import Scope
from experience_api.security.principal import Principal
from system_apis.contracts.models import split_id

FORBIDDEN = "FORBIDDEN"
T = TypeVar("T")


class Forbidden(ClientError):
    """The caller may not do this; ``required_scope`` is the scope it lacks, if any."""

    def __init__(self, message: str, *, required_scope: Scope | None = None):
        super().__init__(message, code=FORBIDDEN)
        if required_scope is not None:
            self.extensions["requiredScope"] = required_scope.value


def principal(info: Info) -> Principal:
    return info.context.principal


def require(info: Info, scope: Scope) -> Principal:
    """The caller, when it holds ``scope``; Forbidden otherwise."""
    caller = info.context.principal
    if not caller.has(scope):
        raise Forbidden(f"this needs the scope {scope.value!r}", required_scope=scope)
    return caller


class ScopePermission(BasePermission):
    """Strawberry permission: the caller holds ``scope``; see :func:`requires`."""

    scope: Scope

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.principal.has(self.scope)

    def on_unauthorized(self) -> None:
        raise Forbidden(f"this needs the scope {self.scope.value!r}", required_scope=self.scope)


@functools.cache
def requires(scope: Scope) -> type[ScopePermission]:
    """A permission class for ``permission_classes=[requires(Scope.X)]``."""
    return type(
        f"Requires_{scope.name}", (ScopePermission,), {"scope": scope, "__module__": __name__}
    )


def visible_connections(info: Info, requested: str | None) -> tuple[str, ...] | None:
    """For a list read: None when it names its connection (which the caller may see:
    Forbidden otherwise), else the configured connections the caller may see."""
    caller = info.context.principal
    if requested is not None:
        require_connection(info, requested)
        return None
    return tuple(caller.visible(info.context.services.connections.names))


def may_see_record(info: Info, record_id: str) -> bool:
    """Whether a canonical id (``<connection>:<native id>``) is within the caller's
    connections; a malformed id is left to the flow to reject."""
    try:
        connection, _ = split_id(record_id)
    except ValueError:
        return True
    return info.context.principal.may_see(connection)


def require_record(info: Info, record_id: str) -> None:
    """Forbidden unless the caller may act on the record's connection."""
    if not may_see_record(info, record_id):
        raise Forbidden("not permitted on the connection of this record")


def require_connection(info: Info, connection: str) -> None:
    """Forbidden unless the caller may act on ``connection``."""
    if not info.context.principal.may_see(connection):
        raise Forbidden(f"not permitted on connection {connection!r}")


def guarded(info: Info, scope: Scope, field_name: str, record_id: str, value: T | None) -> T | None:
    """``value`` when the caller holds ``scope`` (recorded as a disclosure), else None
    (recorded as redacted). ``field_name`` is ``Type.field``."""
    context = info.context
    caller = context.principal
    access = context.field_access
    if not caller.has(scope):
        access.redacted.add(field_name)
        return None
    if value is not None:
        access.disclose(Disclosure(caller.subject, caller.client_id, field_name, record_id, scope))
    return value
