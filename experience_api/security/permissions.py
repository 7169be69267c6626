"""Roles and the scopes they grant.

A token carries roles (claim ``roles``) and/or OAuth2 scopes (claim ``scope``, space
separated); a caller holds the union of its scopes and the scopes of its roles. Sensitive
scopes (``payroll:read``, ``credit:read``, ``bank:read``) guard individual fields: without
them the field is absent from every outlet.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    CUSTOMERS_READ = "customers:read"
    PRODUCTS_READ = "products:read"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    INVOICES_READ = "invoices:read"
    INVOICES_WRITE = "invoices:write"
    CREDIT_READ = "credit:read"
    EMPLOYEES_READ = "employees:read"
    PAYROLL_READ = "payroll:read"
    BANK_READ = "bank:read"
    ADMIN = "admin"


class Role(StrEnum):
    SALES = "sales"
    FINANCE = "finance"
    HR = "hr"
    AGENT = "agent"
    ADMIN = "admin"


SENSITIVE_SCOPES = frozenset({Scope.PAYROLL_READ, Scope.CREDIT_READ, Scope.BANK_READ})

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.SALES: frozenset(
        {
            Scope.CUSTOMERS_READ,
            Scope.PRODUCTS_READ,
            Scope.INVENTORY_READ,
            Scope.INVENTORY_WRITE,
            Scope.ORDERS_READ,
            Scope.ORDERS_WRITE,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Scope.CUSTOMERS_READ,
            Scope.ORDERS_READ,
            Scope.INVOICES_READ,
            Scope.INVOICES_WRITE,
            Scope.CREDIT_READ,
            Scope.BANK_READ,
        }
    ),
    Role.HR: frozenset({Scope.EMPLOYEES_READ, Scope.PAYROLL_READ, Scope.BANK_READ}),
    # Read-only, and never a sensitive field: an agent sees what its task needs.
    Role.AGENT: frozenset(
        {
            Scope.CUSTOMERS_READ,
            Scope.PRODUCTS_READ,
            Scope.INVENTORY_READ,
            Scope.ORDERS_READ,
            Scope.INVOICES_READ,
        }
    ),
    # Operations (quarantine, webhooks, connections), not business data beyond reading it;
    # payroll and bank data stay with hr.
    Role.ADMIN: frozenset(
        {
            Scope.ADMIN,
            Scope.CUSTOMERS_READ,
            Scope.PRODUCTS_READ,
            Scope.INVENTORY_READ,
            Scope.ORDERS_READ,
            Scope.INVOICES_READ,
        }
    ),
}


def scopes_for(roles: Iterable[str], scopes: Iterable[str] = ()) -> frozenset[Scope]:
    """Every scope granted by ``roles`` plus the known ones among ``scopes``; unknown names
    grant nothing."""
    granted: set[Scope] = set()
    for name in roles:
        try:
            granted |= ROLE_SCOPES[Role(name)]
        except ValueError:
            continue
    for name in scopes:
        try:
            granted.add(Scope(name))
        except ValueError:
            continue
    return frozenset(granted)
