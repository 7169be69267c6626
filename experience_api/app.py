"""The HTTP application: GraphQL (with GraphiQL on GET), health and readiness probes.

While it runs, the gateway's background loops (in-flight recovery, and whatever else the
composition root registers) run as tasks, cancelled on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from experience_api import log_redaction
from experience_api.bootstrap import build_gateway
from experience_api.console.routes import AuditKey, console_routes
from experience_api.export.endpoint import EXPORT_PATH, export
from experience_api.graphiql.assets import STATIC_PREFIX, static_files
from experience_api.graphql_http import GatewayGraphQL
from experience_api.graphql_protection import graphql_protection
from experience_api.inbound.endpoint import INBOUND_WEBHOOKS, InboundWebhookEndpoint
from experience_api.limits.request_size import BodySizeLimit
from experience_api.mcp.http import McpEndpoint, ResourceMetadataChallenge
from experience_api.mcp.tools import Toolbox, agent_documents
from experience_api.metrics import metrics
from experience_api.observability import logs
from experience_api.observability.requests import RequestTracing
from experience_api.observability.tracing import start_tracing
from experience_api.readiness import readiness
from experience_api.schema import build_schema
from experience_api.security.setup import security
from experience_api.settings import Settings

YOUNG_GENERATION_THRESHOLD = 20_000
"""Allocations between two collections of the collector's youngest generation, once the
gateway runs (Python's default: 700)."""


def create_app(settings: Settings) -> Starlette:
    """The ASGI app; the gateway is built in the lifespan and closed with it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # uvicorn has configured its handlers by now: filter every one of them.
        logs.install(settings.log_format)
        log_redaction.install(log_redaction.secrets_in(settings))
        tracing = start_tracing(settings.tracing)
        gateway = await build_gateway(settings)
        app.state.gateway = gateway
        if mcp is not None and gateway.services.agent_writes is not None:
            # An approved agent write runs here, through the agent tools' own mutation.
            gateway.services.agent_writes.bind(mcp.executor(gateway.services))
        tasks = [
            asyncio.create_task(loop(), name=name) for name, loop in gateway.background.items()
        ]
        # What start-up built (modules, schema, clients: some 250,000 objects) lives as long
        # as the gateway: out of the collector's reach, a full collection no longer walks it
        # (one cost ~0.5 s of CPU every few dozen reference queries).
        gc.freeze()
        # A query allocates tens of thousands of short-lived objects: at the default
        # threshold (700) the youngest generation is collected dozens of times per query,
        # and what a request still holds is promoted and walked again. 4% fewer
        # instructions per reference query; what the collector frees is the same.
        thresholds = gc.get_threshold()
        gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
        try:
            async with contextlib.AsyncExitStack() as agents:
                if mcp is not None:
                    await agents.enter_async_context(mcp.running())
                yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await gateway.aclose()
            guard.close()
            gc.set_threshold(*thresholds)
            gc.unfreeze()
            if tracing is not None:
                tracing.shutdown()

    protection = graphql_protection(settings, agent_documents(settings.mcp))
    schema = build_schema(protection.extensions, protection.max_batch_operations)
    graphql = GatewayGraphQL(
        schema,
        graphql_ide="graphiql" if protection.graphiql else None,
        # GraphQL over HTTP: queries (never mutations) may come as GET with URL parameters.
        allow_queries_via_get=True,
        max_json_depth=protection.max_json_depth,
        max_query_string_bytes=protection.max_request_bytes,
    )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        status, body = await readiness(request.app.state.gateway)
        return JSONResponse(body, status)

    async def home(_: Request) -> Response:
        return RedirectResponse("/graphql")

    routes: list[Any] = [
        Route("/", home),
        Route("/health", health),
        Route("/ready", ready),
        # Prometheus scrapes each replica here; open like /ready (see docs/metrics.md).
        Route("/metrics", metrics, methods=["GET"]),
        # Signed by the sender (Standard Webhooks), not by a bearer token.
        Route(INBOUND_WEBHOOKS, InboundWebhookEndpoint(settings.inbound).handle, methods=["POST"]),
        Route(
            "/graphql",
            BodySizeLimit(graphql, protection.max_request_bytes),
            # Every method reaches the GraphQL view, so a wrong one gets a GraphQL error
            # body (405, Allow: GET, POST) rather than a plain-text answer.
            methods=None,
        ),
        # Whole record sets as NDJSON, under the same bearer tokens and rate limits.
        Route(EXPORT_PATH, export, methods=["GET"]),
        # Subscriptions over graphql-transport-ws (or legacy graphql-ws) on the same path.
        WebSocketRoute("/graphql", graphql),
    ]
    # The operations console: admins only, like the admin operations of the API.
    routes.extend(
        console_routes(AuditKey(settings.audit_key, settings.audit_key_file, settings.data_dir))
    )
    if protection.graphiql:
        routes.append(Mount(STATIC_PREFIX, static_files()))
    # Agents: the same schema, so the same policy; ToolDocumentError stops start-up.
    mcp = None
    if settings.mcp.enabled:
        toolbox = Toolbox.build(
            schema, settings.mcp, settings.max_page_size, protection.introspection
        )
        mcp = McpEndpoint(settings, toolbox)
        routes.extend(mcp.routes())
    middleware, guard = security(settings)
    challenge = Middleware(ResourceMetadataChallenge, settings=settings)
    # Outermost: every answer, refusals included, carries the request id.
    traced = Middleware(RequestTracing)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[traced, challenge, middleware])
    app.state.authenticator = guard.authenticator
    return app
