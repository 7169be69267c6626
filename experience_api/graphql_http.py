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

import json
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from experience_api.gateway import Gateway
from experience_api.graphiql.assets import page as graphiql_page
from experience_api.limits.batch import check_body
from experience_api.limits.errors import (
    BAD_REQUEST_BODY,
    GRAPHQL_RESPONSE,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    OPERATION_NOT_ALLOWED,
    UNKNOWN_OPERATION,
    UNSUPPORTED_MEDIA_TYPE,
    RequestRefused,
    media_type_for,
)
from experience_api.limits.json_body import DEFAULT_MAX_JSON_DEPTH, UnsafeJson, decode_json
from experience_api.limits.ws_messages import CheckedTransportWsHandler, CheckedWsHandler
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

_CODE_FOR_STATUS = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 415: UNSUPPORTED_MEDIA_TYPE}


def _prefers_graphql_response(request: Request | WebSocket) -> bool:
    # Without the new media type in Accept the legacy application/json rules apply.
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


class GatewayGraphQL(GraphQL[GraphQLContext, None]):
    """Strawberry's ASGI app with a per-request context built from the running gateway.

    Every body (POST, or a WebSocket message) is read by the bounded JSON decoder of
    :mod:`experience_api.limits.json_body`, nested no deeper than ``max_json_depth``.
    """

    graphql_transport_ws_handler_class = CheckedTransportWsHandler
    graphql_ws_handler_class = CheckedWsHandler

    def __init__(
        self,
        *args: Any,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
        max_query_string_bytes: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.max_json_depth = max_json_depth
        self.max_query_string_bytes = max_query_string_bytes

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
            self._check_query_string(scope)
            response = await self.run(request)
        except HTTPException as exc:
            # Strawberry's 405: a method other than GET and POST.
            code = _CODE_FOR_STATUS.get(exc.status_code, BAD_REQUEST_BODY)
            refused = RequestRefused(code, exc.reason, exc.status_code)
            response = _refusal(request, refused, allow="GET, POST")
        except RequestRefused as refused:
            # Ours: a mutation sent with GET.
            response = _refusal(request, refused, allow="POST")
        await response(scope, receive, send)

    def _check_query_string(self, scope: Scope) -> None:
        # A query sent with GET is held to the limit a POST body is held to.
        limit = self.max_query_string_bytes
        if limit is not None and len(scope.get("query_string", b"")) > limit:
            raise RequestRefused(
                BAD_REQUEST_BODY,
                f"The query string is larger than {limit} bytes; send the operation with POST.",
                status=414,
            )

    async def render_graphql_ide(self, request: Request) -> Response:
        # GraphiQL from the gateway's own assets, never from a CDN.
        return HTMLResponse(graphiql_page())

    def encode_json(self, data: object) -> str:
        # Every answer, over HTTP and WebSocket: orjson spends a fifth of the standard
        # library's time on the reference query's answer. A text frame, as graphql-ws
        # clients expect; what orjson cannot write (an integer beyond 64 bits) the standard
        # library does.
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return decode_json(data, max_depth=self.max_json_depth)
        except UnsafeJson as exc:
            raise RequestRefused(exc.code, exc.message, **exc.extensions) from None

    def decode_json(self, data: str | bytes) -> object:
        # What strawberry reads WebSocket messages with: a refused message is not JSON to it,
        # and graphql-transport-ws closes the connection (4400).
        try:
            return decode_json(data, max_depth=self.max_json_depth)
        except UnsafeJson as exc:
            raise json.JSONDecodeError(exc.message, "", 0) from None

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        raw: Any = None
        if request.method == "POST":
            _check_content_type(request.content_type)
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

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GraphQLContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Subscriptions are served over WebSocket only; strawberry would run one over POST
        # as if it were a query. GET is for queries (GraphQL over HTTP: a GET is safe).
        # A refusal here is a request error of this one operation.
        method = request_adapter.method
        allowed = (
            {OperationType.QUERY, OperationType.MUTATION}
            if method == "POST"
            else {OperationType.QUERY}
        )
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            kind = exc.operation_type.value
            if kind == "mutation" and method == "GET":
                raise RequestRefused(
                    METHOD_NOT_ALLOWED,
                    "A mutation cannot be sent with GET; send it with POST.",
                    status=405,
                ) from None
            where = (
                "over WebSocket (graphql-transport-ws) at /graphql"
                if kind == "subscription"
                else "with POST"
            )
            return _request_error(
                OPERATION_NOT_ALLOWED, f"A {kind} cannot be sent with {method}; send it {where}."
            )
        except CannotGetOperationTypeError:
            return _request_error(
                UNKNOWN_OPERATION,
                f"The document has no operation named {request_data.operation_name!r}.",
            )
        except MissingQueryError:
            return _request_error(
                BAD_REQUEST_BODY, "The request has no `query` and no persisted operation id."
            )

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
        if _is_request_error(result):
            # Nothing ran, so there is no data entry, whatever the media type; only the new
            # one answers 400. One failed operation of a batch does not fail the others.
            batch = getattr(request.state, "graphql_batch", False)
            if sub_response.media_type == GRAPHQL_RESPONSE and not batch:
                sub_response.status_code = 400
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or "application/json"
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        return response


def _refusal(request: Request, refused: RequestRefused, allow: str) -> Response:
    media_type = media_type_for(request.headers.get("accept", ""))
    headers = {"Allow": allow} if refused.status == 405 else None
    return JSONResponse(refused.body, refused.status, headers=headers, media_type=media_type)


def _check_content_type(content_type: str | None) -> None:
    """A POST body must be ``application/json`` (in UTF-8, the only charset JSON has)."""
    media_type, params = parse_content_type(content_type or "")
    charset = params.get("charset", "utf-8").lower()
    if media_type.lower() != "application/json" or charset not in ("utf-8", "utf8"):
        raise RequestRefused(
            UNSUPPORTED_MEDIA_TYPE,
            f"The body must be sent as application/json in UTF-8, not {content_type!r}.",
            status=415,
        )


def _request_error(code: str, message: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


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
