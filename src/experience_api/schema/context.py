"""The per-request GraphQL context: the services and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from experience_api.schema.field_access import FieldAccess
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
    return GraphQLContext(
        services=services,
        loaders=create_loaders(services),
        principal=caller,
        audit=AuditTrail(caller, services.audit),
        request=request,
        response=response,
    )


Info = strawberry.Info[GraphQLContext, None]
