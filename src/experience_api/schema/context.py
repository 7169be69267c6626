"""The per-request GraphQL context: the services and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from experience_api.schema.loaders import Loaders, create_loaders
from experience_api.services import Services


@dataclass
class GraphQLContext:
    """What every resolver reaches through ``info.context``.

    ``request`` and ``response`` are those strawberry's ASGI integration passes to
    ``get_context`` (a WebSocket for subscriptions); they are None outside HTTP, in tests
    and in ``schema.execute`` calls.
    """

    services: Services
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None


def build_context(
    services: Services,
    *,
    request: Request | WebSocket | None = None,
    response: Response | WebSocket | None = None,
) -> GraphQLContext:
    """A context with loaders of its own; call it once per request, never share one."""
    return GraphQLContext(
        services=services,
        loaders=create_loaders(services),
        request=request,
        response=response,
    )


Info = strawberry.Info[GraphQLContext, None]
