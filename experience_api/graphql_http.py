"""GraphQL over HTTP: strawberry's ASGI view, answering as the GraphQL-over-HTTP spec asks.

A client that accepts ``application/graphql-response+json`` gets that media type, and a
request error (unparsable document, validation failure, bad variables: nothing executed)
gets status 400 without a ``data`` entry. A client that accepts only ``application/json``
gets 200 for every well-formed request, as the specification asks for that media type.

A batch (a JSON array of operations) answers 200 with one result per operation; the
request as a whole is refused with 400 when batching is off or the batch is too large
(see :mod:`experience_api.limits.batch`). A top-level ``documentId`` (a persisted operation)
reaches the schema as ``extensions.documentId``.
"""

from __future__ import annotations

from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from experience_api.gateway import Gateway
from experience_api.limits.batch import check_body
from experience_api.limits.errors import RequestRefused
from experience_api.persisted.extension import DOCUMENT_ID
from experience_api.schema.context import GraphQLContext, build_context
from experience_api.security.authenticator import (
    NOBODY,
    Authenticator,
    MalformedAuthorization,
)
from experience_api.security.jwks import KeysUnavailable
from experience_api.security.middleware import PRINCIPAL_KEY
from experience_api.security.principal import Principal
from experience_api.security.tokens import InvalidToken

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
        return build_context(
            gateway.services, request=request, response=response, principal=_caller(request)
        )

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType | dict[str, object] | None:
        # graphql-transport-ws: a token may come in the connection_init payload instead of
        # the upgrade request; without either, production refuses the connection.
        authenticator: Authenticator = context.request.app.state.authenticator  # type: ignore[union-attr]
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if isinstance(authorization, str):
            try:
                context.principal = await authenticator.authenticate(
                    authorization, _host(context.request)
                )
                context.audit.principal = context.principal
            except (MalformedAuthorization, InvalidToken, KeysUnavailable) as exc:
                raise ConnectionRejectionError({"message": str(exc)}) from None
        elif context.principal is NOBODY:
            raise ConnectionRejectionError({"message": "a bearer token is required"})
        return await super().on_ws_connect(context)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except RequestRefused as refused:
            media_type = (
                GRAPHQL_RESPONSE if _prefers_graphql_response(request) else "application/json"
            )
            response = JSONResponse(refused.body, refused.status, media_type=media_type)
        except HTTPException as exc:
            response = PlainTextResponse(exc.reason, status_code=exc.status_code)
        await response(scope, receive, send)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        raw: Any = None
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            raw = self.parse_json(await request.get_body())
            batching = self.schema.config.batching_config
            check_body(raw, batching["max_operations"] if batching else 0)
        parsed = await super().parse_http_body(request)
        if isinstance(raw, list) and isinstance(parsed, list):
            for entry, data in zip(raw, parsed, strict=True):
                _pass_document_id(entry, data)
        elif isinstance(raw, dict) and isinstance(parsed, GraphQLRequestData):
            _pass_document_id(raw, parsed)
        return parsed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: GraphQLContext,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        request.state.graphql_batch = isinstance(request_data, list)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

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
            # One failed operation of a batch does not make the others' answers an error.
            if not getattr(request.state, "graphql_batch", False):
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


def _caller(request: Request | WebSocket) -> Principal:
    """Who the authentication middleware found; a WebSocket that sent no token in its
    upgrade request is the anonymous caller until its connection_init names one."""
    found = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    if isinstance(found, Principal):
        return found
    authenticator: Authenticator | None = getattr(request.app.state, "authenticator", None)
    # Never the internal principal: a request that bypassed authentication may do nothing.
    return NOBODY if authenticator is None else authenticator.anonymous(_host(request))


def _host(request: Request | WebSocket | None) -> str | None:
    client = None if request is None else request.client
    return None if client is None else client.host


def _pass_document_id(entry: dict[str, Any], data: GraphQLRequestData) -> None:
    document_id = entry.get(DOCUMENT_ID)
    if document_id is not None:
        data.extensions = {**(data.extensions or {}), DOCUMENT_ID: document_id}


def _is_request_error(result: ExecutionResult) -> bool:
    # Field errors carry the path of the field that failed; errors found before execution
    # (syntax, validation, variable coercion) have none and come without data.
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)
