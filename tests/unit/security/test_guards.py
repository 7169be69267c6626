"""Every operation of the schema is guarded: an agent (read-only) can call no mutation, and
each query field asks for the scope of its domain."""

from __future__ import annotations

from experience_api.schema import build_schema
from experience_api.schema.authorization import ScopePermission
from experience_api.security.permissions import ROLE_SCOPES, Role, Scope


def _scopes_of(type_name: str) -> dict[str, set[Scope]]:
    definition = build_schema().get_type_by_name(type_name)
    assert definition is not None
    return {
        field.python_name: {
            p.scope for p in field.permission_classes if issubclass(p, ScopePermission)
        }
        for field in definition.fields  # type: ignore[union-attr]
    }


def test_no_mutation_is_open_to_a_read_only_agent() -> None:
    agent = ROLE_SCOPES[Role.AGENT]
    unguarded = {
        name: scopes for name, scopes in _scopes_of("Mutation").items() if not scopes - agent
    }

    assert unguarded == {}


def test_reads_ask_for_their_domains_scope() -> None:
    scopes = _scopes_of("Query")

    assert scopes["customers"] == {Scope.CUSTOMERS_READ}
    assert scopes["products"] == {Scope.PRODUCTS_READ}
    assert scopes["inventory"] == {Scope.INVENTORY_READ}
    assert scopes["sales_orders"] == scopes["sales_order"] == {Scope.ORDERS_READ}
    assert scopes["invoices"] == {Scope.INVOICES_READ}
    assert scopes["quarantine"] == scopes["quarantined_record"] == {Scope.ADMIN}
