"""GraphQL over HTTP: strawberry's ASGI view, answering as the GraphQL-over-HTTP spec asks.

A client that accepts ``application/graphql-response+json`` gets that media type, and a
request error (unparsable document, validation failure, bad variables: nothing executed)
gets status 400 without a ``data`` entry. A client that accepts only ``application/json``
gets 200 for every well-formed request, as the specification asks for that media type.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from experience_api.bootstrap import Gateway
from experience_api.schema.context import GraphQLContext, build_context

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _prefers_graphql_response(request: Request | WebSocket) -> bool:
    # Without the new media type in Accept the legacy application/json rules apply.
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


class GatewayGraphQL(GraphQL[GraphQLContext, None]):
    """Strawberry's ASGI app with a per-request context built from the running gateway."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> GraphQLContext:
        gateway: Gateway = request.app.state.gateway
        return build_context(gateway.services, request=request, response=response)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if _prefers_graphql_response(request):
            sub_response.media_type = GRAPHQL_RESPONSE
        request.state.graphql_sub_response = sub_response
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        sub_response: Response = request.state.graphql_sub_response
        if sub_response.media_type == GRAPHQL_RESPONSE and _is_request_error(result):
            sub_response.status_code = 400
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type:
            response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response


def _is_request_error(result: ExecutionResult) -> bool:
    # Field errors carry the path of the field that failed; errors found before execution
    # (syntax, validation, variable coercion) have none and come without data.
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)
