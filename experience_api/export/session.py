"""Opening an export for a caller: the same policy as GraphQL, checked before any read.

The caller needs the read scope of the kind (``customers:read``...); its ``companies``
bound the connections (another company's connection is refused as unknown, telling nothing
about it); sensitive fields (a customer's credit limit) are read and written only with their
scope. One audit entry records each export (who, which kind, which connections, which
sensitive fields it carries), written before the first record leaves: an export whose
audit entry cannot be written does not start.
"""

from __future__ import annotations

from experience_api.security.permissions import Scope
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.audit.model import AuditEvent
from process_apis.errors import FlowError
from process_apis.export import Exporter, ExportKind, ExportPlan, parse_kind

KIND_SCOPES: dict[ExportKind, Scope] = {
    ExportKind.CUSTOMERS: Scope.CUSTOMERS_READ,
    ExportKind.PRODUCTS: Scope.PRODUCTS_READ,
    ExportKind.INVENTORY: Scope.INVENTORY_READ,
    ExportKind.SALES_ORDERS: Scope.ORDERS_READ,
    ExportKind.INVOICES: Scope.INVOICES_READ,
}
"""The scope each kind needs, the same its GraphQL list needs."""


class ExportForbidden(FlowError):
    """The caller lacks the scope of the kind; ``required_scope`` names it."""

    code = "FORBIDDEN"

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"this needs the scope {scope.value!r}")
        self.required_scope = scope


async def open_export(
    services: Services, principal: Principal, kind: str, connection: str | None
) -> ExportPlan:
    """The checked plan of ``kind`` for ``principal``, audited; FlowError when refused."""
    parsed = parse_kind(kind)
    scope = KIND_SCOPES[parsed]
    if not principal.has(scope):
        raise ExportForbidden(scope)
    visible = None if principal.connections is None else tuple(sorted(principal.connections))
    plan = Exporter(services.connections).plan(
        parsed,
        connection=connection,
        visible=visible,
        granted=(s.value for s in principal.scopes),
    )
    if services.audit is not None:
        await services.audit.append(
            [
                AuditEvent(
                    actor=principal.subject,
                    client_id=principal.client_id,
                    action=f"export:{parsed.value}",
                    connection=connection,
                    details={"connections": list(plan.connections), "fields": list(plan.sensitive)},
                )
            ]
        )
    return plan
