"""The per-request GraphQL context: the services and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from experience_api.schema.field_access import Disclosure, FieldAccess, customer_details
from experience_api.schema.loaders import Loaders, create_loaders
from experience_api.security.audit_trail import AuditTrail
from experience_api.security.principal import Principal, internal_principal
from experience_api.services import Services


@dataclass
class GraphQLContext:
    """What every resolver reaches through ``info.context``; ``principal`` is the caller,
    ``audit`` collects what the request must leave in the audit log.

    ``request`` and ``response`` are those strawberry's ASGI integration passes to
    ``get_context`` (a WebSocket for subscriptions); they are None outside HTTP, in tests
    and in ``schema.execute`` calls.
    """

    services: Services
    loaders: Loaders
    principal: Principal
    audit: AuditTrail
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    connection_params: dict[str, object] | None = None
    """A WebSocket's ``connection_init`` payload (strawberry sets it)."""
    field_access: FieldAccess = field(default_factory=FieldAccess)
    """Sensitive fields redacted and disclosed in this request (see :mod:`.field_access`)."""


def build_context(
    services: Services,
    *,
    request: Request | WebSocket | None = None,
    response: Response | WebSocket | None = None,
    principal: Principal | None = None,
) -> GraphQLContext:
    """A context with loaders of its own; call it once per request, never share one.

    Without ``principal`` the call acts for the process itself (every scope).
    """
    caller = principal or internal_principal()
    audit = AuditTrail(caller, services.audit)
    access = FieldAccess()
    context = GraphQLContext(
        services=services,
        loaders=create_loaders(services, lambda: customer_details(caller, access.asked)),
        field_access=access,
        principal=caller,
        audit=audit,
        request=request,
        response=response,
    )
    # Every payroll, bank or credit-limit value handed out leaves a record in the audit log.
    context.field_access.listeners.append(lambda d: _audit_disclosure(audit, d))
    return context


def _audit_disclosure(audit: AuditTrail, disclosure: Disclosure) -> None:
    type_name, _, field_name = disclosure.field.partition(".")
    audit.sensitive_read(type_name, field_name, disclosure.record_id)


Info = strawberry.Info[GraphQLContext, None]
