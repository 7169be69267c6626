"""``/mcp`` over Streamable HTTP in the gateway's own app, and what tells an agent how to
authenticate: the Protected Resource Metadata (RFC 9728) and the ``resource_metadata``
parameter of every 401 challenge.

The endpoint sits behind the same authentication and rate-limiting middleware as
``/graphql``, so a tool call is admitted (or refused) exactly as a GraphQL request is. It
runs stateless: every request carries its token and stands alone, so any replica can
answer it and no session can be taken over by another caller.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import urlsplit

from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from experience_api.mcp.config import McpSettings
from experience_api.mcp.server import build_server
from experience_api.mcp.tools import Toolbox
from experience_api.mcp.writes import WRITES_BY_NAME, executor
from experience_api.security.authenticator import NOBODY, Mode
from experience_api.security.config import AuthSettings
from experience_api.security.middleware import PRINCIPAL_KEY
from experience_api.security.permissions import Scope as ApiScope
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.agent_writes.review import Executor


class AgentSettings(Protocol):
    """What the endpoint reads from the gateway's settings (:class:`Settings` has it); a
    protocol, so this package does not depend on the settings that compose its own."""

    @property
    def mcp(self) -> McpSettings: ...
    @property
    def mode(self) -> Mode: ...
    @property
    def auth(self) -> AuthSettings: ...


MCP_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"


def _base_url(settings: AgentSettings, scope: Scope) -> str:
    if settings.mcp.public_url:
        return settings.mcp.public_url.rstrip("/")
    request = Request(scope)
    return f"{request.url.scheme}://{request.url.netloc}"


def _caller(ctx: ServerRequestContext[Any, Any]) -> tuple[Principal, Services]:
    request = ctx.request
    if not isinstance(request, Request):
        raise RuntimeError("an MCP request over HTTP without its HTTP request")
    found = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    principal = found if isinstance(found, Principal) else NOBODY
    return principal, request.app.state.gateway.services


class McpEndpoint:
    """The routes to add to the app, and the session manager its lifespan must run."""

    def __init__(self, settings: AgentSettings, toolbox: Toolbox) -> None:
        self.settings = settings
        local = settings.mode == "local"
        # A tokenless loopback caller is the developer in local mode: a web page must not
        # reach /mcp through DNS rebinding, so Host and Origin are checked there (loopback
        # names, and the configured public URL).
        hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
        origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
        if settings.mcp.public_url:
            public = urlsplit(settings.mcp.public_url)
            hosts.append(public.netloc)
            origins.append(f"{public.scheme}://{public.netloc}")
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=local,
            allowed_hosts=hosts if local else [],
            allowed_origins=origins if local else [],
        )
        self.toolbox = toolbox
        server = build_server(toolbox, _caller)
        self.manager = StreamableHTTPSessionManager(
            app=server, json_response=True, stateless=True, security_settings=security
        )
        self.app = StreamableHTTPASGIApp(self.manager)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The SDK's task group, for as long as the app runs.

        It lives in a task of its own: a lifespan may be entered and left in different
        tasks (test fixtures do), which an anyio task group does not allow.
        """
        started, stop = asyncio.Event(), asyncio.Event()

        async def serve() -> None:
            async with self.manager.run():
                started.set()
                await stop.wait()

        task = asyncio.create_task(serve(), name="mcp-sessions")
        ready = asyncio.create_task(started.wait())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
        try:
            yield
        finally:
            stop.set()
            await task

    def executor(self, services: Services) -> Executor:
        """What runs an approved agent write, as the agent that asked."""
        return executor(self.toolbox.runner, services, WRITES_BY_NAME)

    def routes(self) -> list[Route]:
        return [
            Route(MCP_PATH, self.app, methods=["GET", "POST", "DELETE"]),
            Route(METADATA_PATH, self.metadata, methods=["GET"]),
            Route(METADATA_PATH + MCP_PATH, self.metadata, methods=["GET"]),
        ]

    async def metadata(self, request: Request) -> Response:
        """RFC 9728: what this resource is, who issues its tokens, which scopes exist."""
        suffix = request.url.path.removeprefix(METADATA_PATH)
        document: dict[str, Any] = {
            "resource": _base_url(self.settings, request.scope) + suffix,
            "bearer_methods_supported": ["header"],
            "scopes_supported": sorted(s.value for s in ApiScope),
            "resource_name": "ERP gateway",
        }
        if self.settings.auth.issuer is not None:
            document["authorization_servers"] = [self.settings.auth.issuer]
        return JSONResponse(document, headers={"cache-control": "public, max-age=300"})


class ResourceMetadataChallenge:
    """Adds ``resource_metadata="<url>"`` to every 401's ``WWW-Authenticate`` challenge,
    so an MCP client finds where to get a token (MCP authorization, RFC 9728 §5.1)."""

    def __init__(self, app: ASGIApp, settings: AgentSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = _base_url(self.settings, scope) + METADATA_PATH

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                headers = [
                    (name, _with_metadata(value, url) if name == b"www-authenticate" else value)
                    for name, value in message.get("headers", [])
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _with_metadata(challenge: bytes, url: str) -> bytes:
    if b"resource_metadata=" in challenge:
        return challenge
    return challenge + f', resource_metadata="{url}"'.encode("latin-1", "replace")
