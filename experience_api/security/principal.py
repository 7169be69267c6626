"""The authenticated caller, as every resolver and outlet sees it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from experience_api.security.permissions import Role, Scope


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a validated bearer token (or the local development identity).

    ``connections`` is the row-level boundary: the ERP connections (companies) whose
    records the caller may see or change; None means every connection.
    """

    subject: str
    client_id: str
    roles: frozenset[str]
    scopes: frozenset[Scope]
    connections: frozenset[str] | None = None

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def may_see(self, connection: str) -> bool:
        return self.connections is None or connection in self.connections

    def visible(self, connections: Iterable[str]) -> list[str]:
        """Those of ``connections`` the caller may see, in the given order."""
        return [c for c in connections if self.may_see(c)]


def internal_principal() -> Principal:
    """Every scope on every connection: for calls made inside the process (the CLI, tests
    that execute the schema directly), never for a request from outside."""
    return Principal(
        subject="internal",
        client_id="internal",
        roles=frozenset(r.value for r in Role),
        scopes=frozenset(Scope),
    )
