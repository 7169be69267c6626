"""``erp-gateway mcp``: the MCP server over stdio, for agents that start the gateway as a
local process (desktop agents).

The caller authenticates once, at start, with a bearer token from ``ERP_GATEWAY_TOKEN``
(``erp-gateway token`` issues one in local mode), checked exactly as ``/graphql`` checks
it; local mode without a token acts as the local developer, as a loopback request does.
Every tool call then runs as that principal, under the same policy as over HTTP, and counts
against the client's rate limit (``[auth.rate_limit]``). Nothing but MCP messages is
written to stdout; logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from experience_api.command_support import (
    EXIT_USAGE,
    Subcommand,
    add_state_options,
    fail,
    load,
)
from experience_api.mcp.config import TOKEN_ENV

if TYPE_CHECKING:
    from experience_api.security.principal import Principal
    from experience_api.settings import Settings


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_state_options(parser)


async def _principal(settings: Settings) -> Principal:
    from experience_api.security.authenticator import build_authenticator

    authenticator = build_authenticator(settings.auth, settings.mode, settings.data_dir)
    token = os.environ.get(TOKEN_ENV, "").strip()
    # A process on this machine is the local caller a loopback request is.
    return await authenticator.authenticate(f"Bearer {token}" if token else None, "127.0.0.1")


async def _serve(settings: Settings) -> int:
    import anyio
    from mcp.server.stdio import stdio_server

    from experience_api.bootstrap import build_gateway
    from experience_api.graphql_protection import graphql_protection
    from experience_api.mcp.server import build_server
    from experience_api.mcp.tools import Toolbox, agent_documents
    from experience_api.safety import check_production_connections
    from experience_api.schema import build_schema
    from experience_api.security.authenticator import MalformedAuthorization, MissingToken
    from experience_api.security.jwks import KeysUnavailable
    from experience_api.security.rate_limit import RateLimiter
    from experience_api.security.tokens import InvalidToken

    try:
        principal = await _principal(settings)
    except MissingToken:
        return fail(f"set {TOKEN_ENV} to a bearer token (erp-gateway token issues one)", 2)
    except (MalformedAuthorization, InvalidToken, KeysUnavailable) as exc:
        return fail(f"the token in {TOKEN_ENV} is refused: {exc}", 2)
    if not principal.scopes:
        return fail(f"the token in {TOKEN_ENV} grants no scope of this API", 2)
    check_production_connections(settings)
    protection = graphql_protection(settings, agent_documents(settings.mcp))
    schema = build_schema(protection.extensions, protection.max_batch_operations)
    toolbox = Toolbox.build(schema, settings.mcp, settings.max_page_size, protection.introspection)
    limits = settings.auth.rate_limit
    limiter = RateLimiter(limits) if limits.enabled else None

    async def admit(caller: Principal) -> str | None:
        # The same per-client limit a request to /mcp or /graphql counts against.
        if limiter is None:
            return None
        decision = await limiter.hit(f"client:{caller.client_id}", caller)
        if decision.allowed:
            return None
        return f"rate limit exceeded; retry in {max(decision.reset_seconds, 1)} s"

    gateway = await build_gateway(settings)
    try:
        server = build_server(toolbox, lambda _ctx: (principal, gateway.services), admit=admit)
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass
    finally:
        await gateway.aclose()
        if limiter is not None:
            limiter.close()
    return 0


def run(args: argparse.Namespace) -> int:
    import asyncio

    from experience_api.mcp.operations import ToolDocumentError

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = load(args)
    if settings is None:
        return EXIT_USAGE
    try:
        return asyncio.run(_serve(settings))
    except (ToolDocumentError, ValueError) as exc:
        return fail(str(exc), EXIT_USAGE)


COMMAND = Subcommand(
    name="mcp",
    help="serve the MCP tools over stdio (token from ERP_GATEWAY_TOKEN)",
    description="Serve the gateway's MCP tools over stdin/stdout for a local agent. The "
    f"bearer token comes from {TOKEN_ENV}; local mode without one acts as the local developer.",
    arguments=_arguments,
    run=run,
)
