"""The tools an agent sees: built-in operation tools, the operator's, schema help, the
read-only GraphQL tool and (when configured) the write tools; and how a call reaches them."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry import Schema

from experience_api.mcp.budget import MIN_BUDGET
from experience_api.mcp.config import McpSettings
from experience_api.mcp.operations import (
    OperationTool,
    builtin_folder,
    load_folder,
    unique,
)
from experience_api.mcp.runner import (
    CURSOR,
    MAX_TOKENS,
    Answer,
    Call,
    RowFilter,
    Runner,
    ToolFailure,
)
from experience_api.mcp.schema_help import search
from experience_api.mcp.writes import STATUS_SCHEMA, STATUS_TOOL, Writes
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.audit.model import Outcome

log = logging.getLogger(__name__)
SCHEMA_HELP = "schema_help"
GRAPHQL_QUERY = "graphql_query"
INVOICE_STATES = ("open", "overdue", "paid")


@dataclass(frozen=True)
class ToolSpec:
    """What ``tools/list`` shows of one tool."""

    name: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool = True


def _with_budget(schema: Mapping[str, Any], settings: McpSettings) -> dict[str, Any]:
    properties = dict(schema.get("properties", {}))
    properties[MAX_TOKENS] = {
        "type": "integer",
        "minimum": MIN_BUDGET,
        "maximum": settings.max_tokens,
        "description": f"answer size limit in tokens (default and most: {settings.max_tokens})",
    }
    properties[CURSOR] = {
        "type": "string",
        "description": "continue a cut answer: the cursor it ended with, same arguments",
    }
    return {**schema, "properties": properties}


def _invoice_filter(terms_days: int) -> RowFilter:
    def keep(node: Mapping[str, Any], arguments: Mapping[str, Any]) -> bool:
        wanted = arguments.get("status")
        status = node.get("status")
        if wanted is None:
            return True
        if wanted == "paid":
            return status == "PAID"
        if status != "POSTED":
            return False
        if wanted == "open":
            return True
        due = dt.date.today() - dt.timedelta(days=terms_days)
        return str(node.get("date", "")) < due.isoformat()

    return keep


@dataclass
class Toolbox:
    """Every tool of this gateway, and the way a call runs."""

    runner: Runner
    operations: list[OperationTool]
    schema_help: bool = True
    filters: dict[str, RowFilter] = field(default_factory=dict)
    writes: Writes | None = None

    @classmethod
    def build(
        cls, schema: Schema, settings: McpSettings, max_page_size: int, introspection: bool
    ) -> Toolbox:
        """The tools the settings ask for; ToolDocumentError when a document is unusable."""
        graphql = schema._schema
        builtin = load_folder(graphql, builtin_folder())
        taken: dict[str, object] = {t.name: t for t in builtin}
        taken.update({SCHEMA_HELP: None, GRAPHQL_QUERY: None, STATUS_TOOL: None})
        runner = Runner(schema, settings, max_page_size)
        writes = None if settings.writes == "off" else Writes(runner, settings.writes)
        taken.update(dict.fromkeys(writes.tools if writes else ()))
        operator = (
            unique(load_folder(graphql, settings.tools_dir), taken)
            if settings.tools_dir is not None
            else []
        )
        return cls(
            runner,
            [*builtin, *operator],
            schema_help=introspection,
            filters={"customer_invoices": _invoice_filter(settings.payment_terms_days)},
            writes=writes,
        )

    @property
    def settings(self) -> McpSettings:
        return self.runner.settings

    def specs(self) -> list[ToolSpec]:
        specs = []
        for tool in self.operations:
            schema = tool.input_schema
            if tool.name in self.filters:
                schema = {
                    **schema,
                    "properties": {
                        **schema["properties"],
                        "status": {"type": "string", "enum": list(INVOICE_STATES)},
                    },
                }
            specs.append(ToolSpec(tool.name, tool.description, _with_budget(schema, self.settings)))
        if self.schema_help:
            specs.append(
                ToolSpec(
                    SCHEMA_HELP,
                    "Search the gateway's GraphQL schema by keyword(s): returns minified SDL of "
                    "the matching types and fields only. Use before graphql_query.",
                    _with_budget(
                        {
                            "type": "object",
                            "properties": {"keywords": {"type": "string", "minLength": 1}},
                            "required": ["keywords"],
                        },
                        self.settings,
                    ),
                )
            )
        specs.append(
            ToolSpec(
                GRAPHQL_QUERY,
                "Run a read-only GraphQL query (no mutations or subscriptions) on the "
                "gateway's schema, within your usual limits and permissions; answers in "
                "the same compact form as the other tools. Prefer the specific tools.",
                _with_budget(
                    {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string", "minLength": 1},
                            "variables": {"type": "object"},
                        },
                        "required": ["query"],
                    },
                    self.settings,
                ),
            )
        )
        if self.writes is not None:
            for write in self.writes.tools.values():
                description = write.description + (
                    " A person approves it first: the answer names the request to follow with "
                    f"{STATUS_TOOL}."
                    if self.writes.mode == "approval"
                    else ""
                )
                specs.append(ToolSpec(write.name, description, write.input_schema, False))
            if self.writes.mode == "approval":
                specs.append(
                    ToolSpec(
                        STATUS_TOOL,
                        "Where a write you asked for stands: pending, done (with what it "
                        "did), failed, rejected (with the reason) or expired.",
                        STATUS_SCHEMA,
                    )
                )
        return specs

    async def call(
        self,
        name: str,
        arguments: Mapping[str, Any] | None,
        principal: Principal,
        services: Services,
    ) -> Answer:
        """Runs tool ``name`` for ``principal``; a refusal is an error answer, audited."""
        started = time.perf_counter()
        answer: Answer | None = None
        try:
            answer = await self._answer(Call(name, dict(arguments or {}), principal, services))
            return answer
        finally:
            if services.metrics is not None:
                label = name if self._known(name) else "unknown"
                seconds = time.perf_counter() - started
                failed = answer is None or answer.error
                services.metrics.operation("mcp", label, seconds, failed=failed)

    async def _answer(self, call: Call) -> Answer:
        try:
            return await self._dispatch(call)
        except ToolFailure as failure:
            await self.runner.audit(call, Outcome.REJECTED, [], error=str(failure))
            return Answer(str(failure), error=True)

    def _known(self, name: str) -> bool:
        """Whether ``name`` is one of this gateway's tools (metrics label only those)."""
        return (
            name in (GRAPHQL_QUERY, SCHEMA_HELP, STATUS_TOOL)
            or any(tool.name == name for tool in self.operations)
            or (self.writes is not None and name in self.writes.tools)
        )

    async def _dispatch(self, call: Call) -> Answer:
        for tool in self.operations:
            if tool.name == call.tool:
                return await self.runner.run_tool(call, tool, self.filters.get(tool.name))
        if call.tool == GRAPHQL_QUERY:
            return await self._query(call)
        if call.tool == SCHEMA_HELP and self.schema_help:
            return await self._schema_help(call)
        if self.writes is not None and call.tool in self.writes.tools:
            return await self.writes.call(call, self.writes.tools[call.tool])
        if self.writes is not None and self.writes.mode == "approval" and call.tool == STATUS_TOOL:
            return await self.writes.status(call)
        raise ToolFailure(f"unknown tool: {call.tool}")

    async def _query(self, call: Call) -> Answer:
        query = call.arguments.get("query")
        variables = call.arguments.get("variables") or {}
        if not isinstance(query, str) or not query.strip():
            raise ToolFailure("query must be a GraphQL document")
        if not isinstance(variables, dict):
            raise ToolFailure("variables must be an object")
        unknown = set(call.arguments) - {"query", "variables", MAX_TOKENS, CURSOR}
        if unknown:
            raise ToolFailure(f"unknown argument(s): {', '.join(sorted(unknown))}")
        return await self.runner.run_query(call, query, variables)

    async def _schema_help(self, call: Call) -> Answer:
        keywords = call.arguments.get("keywords")
        if not isinstance(keywords, str) or not keywords.strip():
            raise ToolFailure("keywords must name what to look for")
        doc = search(self.runner.schema._schema, keywords)
        return await self.runner.answer_doc(call, doc)


def names(specs: Sequence[ToolSpec]) -> list[str]:
    return [s.name for s in specs]


def agent_documents(settings: McpSettings) -> list[str]:
    """Every operation the agent tools run (built-in, the operator's, the writes they may
    make): trusted as registered operations when the gateway runs only those."""
    from experience_api.mcp.operations import documents_in
    from experience_api.mcp.writes import WRITE_TOOLS

    if not settings.enabled:
        return []
    documents = documents_in(builtin_folder())
    if settings.tools_dir is not None:
        documents += documents_in(settings.tools_dir)
    if settings.writes != "off":
        documents += [tool.document for tool in WRITE_TOOLS]
    return documents
