"""The MCP server: the official SDK's low-level server answering ``tools/list`` and
``tools/call`` from the :class:`~experience_api.mcp.tools.Toolbox`.

Who calls, and against which services, is up to the transport: over HTTP the principal the
authentication middleware found for the request, over stdio the one the process
authenticated at start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from experience_api.mcp.tools import Toolbox
from experience_api.observability.operations import tool_call
from experience_api.security.principal import Principal
from experience_api.services import Services

SERVER_NAME = "erp-gateway"
INSTRUCTIONS = (
    "ERP data (customers, products, stock, orders, deliveries, invoices, employees) of the "
    "companies you may see. Answers are compact. A table is a line '[name]' (with what all "
    "its rows share: a currency, col=value), a header of column names, then rows separated "
    "by |. In a header, qty(PC) gives the unit of the column; id(EU01:) or date(2026-) the "
    "start every value of the column shares (write EU01:24 for 24); status(blank=ACTIVE) the "
    "value of its blank cells. 'currency: EUR' and 'ids: EU01:' at the top hold for the whole "
    "answer. An answer cut at its token budget ends with 'more: N left, cursor=...': call "
    "the same tool with the same arguments and that cursor to continue."
)
Caller = Callable[[ServerRequestContext[Any, Any]], tuple[Principal, Services]]
Admission = Callable[[Principal], Awaitable[str | None]]
"""Why a call may not run now (its rate limit), or None; over HTTP the middleware decides."""


def build_server(
    toolbox: Toolbox, caller: Caller, version: str = "", admit: Admission | None = None
) -> Server[Any]:
    """The server; ``caller`` tells who makes a request and which services serve it."""

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tools = [
            types.Tool(
                name=spec.name,
                description=spec.description,
                input_schema=spec.input_schema,
                annotations=types.ToolAnnotations(
                    read_only_hint=spec.read_only, open_world_hint=False
                ),
            )
            for spec in toolbox.specs()
        ]
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        principal, services = caller(ctx)
        with tool_call(ctx.request, params.name):
            refusal = None if admit is None else await admit(principal)
            if refusal is not None:
                return types.CallToolResult(
                    content=[types.TextContent(text=refusal)], is_error=True
                )
            answer = await toolbox.call(params.name, params.arguments, principal, services)
        return types.CallToolResult(
            content=[types.TextContent(text=answer.text)], is_error=answer.error
        )

    return Server(
        SERVER_NAME,
        version=version,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
