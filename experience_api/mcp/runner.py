"""Running a tool for a caller: the GraphQL operation on the gateway's own schema, with the
caller's principal in the same context ``/graphql`` builds, so every access rule, field
protection, limit and the audit trail apply as they do there; then the compact answer,
fitted to the call's token budget; then one audit event naming the tool, its arguments
(secrets left out) and the records it returned."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from strawberry import Schema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from experience_api.mcp import cursor
from experience_api.mcp.budget import MIN_BUDGET, BudgetTooSmall, fit
from experience_api.mcp.compact import Doc, Row, records_doc, to_doc
from experience_api.mcp.config import McpSettings
from experience_api.mcp.operations import AFTER, OperationTool
from experience_api.mcp.tokens import TokenCounter, o200k
from experience_api.schema.context import GraphQLContext, build_context
from experience_api.security.audit_trail import redacted
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.audit.model import Outcome

MAX_TOKENS = "max_tokens"
CURSOR = "cursor"
RowFilter = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
"""Keeps a record (a node of the answer) for the call's arguments."""


class ToolFailure(Exception):
    """A call that cannot be answered: bad arguments, refused, or not found."""


@dataclass(frozen=True)
class Answer:
    text: str
    error: bool = False
    records: tuple[str, ...] = ()


@dataclass
class Call:
    """One tool call: who makes it, with what, against which services."""

    tool: str
    arguments: dict[str, Any]
    principal: Principal
    services: Services
    context: GraphQLContext = field(init=False)

    def __post_init__(self) -> None:
        self.context = build_context(self.services, principal=self.principal)


def budget_of(arguments: dict[str, Any], settings: McpSettings) -> int:
    """The call's token budget: ``max_tokens`` if given (never above the default)."""
    asked = arguments.pop(MAX_TOKENS, None)
    if asked is None:
        return settings.max_tokens
    if isinstance(asked, bool) or not isinstance(asked, int) or asked < MIN_BUDGET:
        raise ToolFailure(f"max_tokens must be a whole number of at least {MIN_BUDGET}")
    return min(asked, settings.max_tokens)


def _errors(result: ExecutionResult) -> list[str]:
    lines = []
    for error in result.errors or []:
        code = (error.extensions or {}).get("code")
        lines.append(f"{error.message} ({code})" if code else error.message)
    return lines


def _ids(cells: Mapping[str, Any]) -> Iterable[str]:
    for name, value in cells.items():
        if isinstance(value, str) and (name == "id" or name.endswith((".id", "Id"))):
            yield value


def shown_ids(doc: Doc, skip: int, shown: int) -> list[str]:
    """The record ids an answer hands out: of its head and of the records shown."""
    ids = list(_ids(doc.head))
    index = 0
    pending: list[Row] = []
    for table in doc.tables:
        for row in table.rows:
            if skip <= index < skip + shown:
                pending.append(row)
            index += 1
    while pending:
        row = pending.pop(0)
        ids.extend(_ids(row.cells))
        pending.extend(r for child in row.children for r in child.rows)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class Page:
    """A GraphQL answer as records: what to show, and where the next page starts."""

    doc: Doc
    end_cursor: str | None = None
    has_next: bool = False
    total: int | None = None
    fetched: int | None = None
    """Records read for this page (before any filter); None: as many as the doc holds."""


def page_of(data: Mapping[str, Any], keep: RowFilter | None, arguments: Mapping[str, Any]) -> Page:
    """The records of an operation's answer; a single root field is unwrapped, a
    connection (``nodes``) becomes a table with its total."""
    if len(data) != 1:
        return Page(to_doc(data))
    ((name, value),) = data.items()
    if value is None:
        raise ToolFailure("not found (it does not exist, or lies outside what you may see)")
    if isinstance(value, Mapping) and isinstance(value.get("nodes"), list):
        nodes = [n for n in value["nodes"] if keep is None or keep(n, arguments)]
        info = value.get("pageInfo") or {}
        total = value.get("totalCount")
        return Page(
            records_doc(name, nodes),
            info.get("endCursor"),
            bool(info.get("hasNextPage")),
            total if isinstance(total, int) else None,
            len(value["nodes"]),
        )
    if isinstance(value, Mapping):
        return Page(to_doc(value))
    if isinstance(value, list):
        return Page(to_doc({name: value}))
    return Page(to_doc({name: value}))


def _position(arguments: dict[str, Any], tool: str) -> cursor.Position:
    """Where the call starts: at the cursor it passes (taken out of ``arguments``)."""
    token = arguments.pop(CURSOR, None)
    if token is None:
        return cursor.Position()
    if not isinstance(token, str):
        raise ToolFailure("cursor must be the string a previous answer gave")
    try:
        return cursor.decode(token, tool, arguments)
    except cursor.BadCursor as exc:
        raise ToolFailure(str(exc)) from None


class Runner:
    """Runs operation tools and ad-hoc read-only queries on the gateway's schema."""

    def __init__(
        self,
        schema: Schema,
        settings: McpSettings,
        max_page_size: int,
        count: TokenCounter = o200k,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.max_page_size = max_page_size
        self.count = count

    async def execute(
        self,
        call: Call,
        document: str,
        variables: Mapping[str, Any],
        *,
        read_only: bool = False,
    ) -> ExecutionResult:
        allowed = {OperationType.QUERY} if read_only else None
        try:
            return await self.schema.execute(
                document,
                variable_values=dict(variables),
                context_value=call.context,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            raise ToolFailure(
                "this tool only reads: mutations and subscriptions are refused"
            ) from None

    async def run_tool(
        self, call: Call, tool: OperationTool, keep: RowFilter | None = None
    ) -> Answer:
        """``tool`` for ``call``, budgeted, audited."""
        arguments = dict(call.arguments)
        budget = budget_of(arguments, self.settings)
        position = _position(arguments, tool.name)
        known = set(tool.input_schema["properties"]) | ({"status"} if keep else set())
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise ToolFailure(f"unknown argument(s): {', '.join(unknown)}")
        variables = {k: v for k, v in arguments.items() if k in tool.input_schema["properties"]}
        if tool.pages:
            variables[AFTER] = position.after
            if "first" in tool.input_schema["properties"] and variables.get("first") is None:
                variables["first"] = min(self.settings.page_size, self.max_page_size)
        result = await self.execute(call, tool.document, variables)
        if result.data is None:
            raise ToolFailure("; ".join(_errors(result)) or "the operation returned nothing")
        page = page_of(result.data, keep, arguments)
        return await self._answer(call, page, arguments, position, budget, _errors(result))

    async def run_query(self, call: Call, document: str, variables: Mapping[str, Any]) -> Answer:
        """A read-only GraphQL document, validated and limited as ``/graphql`` would."""
        arguments = dict(call.arguments)
        budget = budget_of(arguments, self.settings)
        position = _position(arguments, call.tool)
        result = await self.execute(call, document, variables, read_only=True)
        if result.data is None:
            raise ToolFailure("; ".join(_errors(result)) or "the query returned nothing")
        page = Page(to_doc(result.data))
        return await self._answer(call, page, arguments, position, budget, _errors(result))

    async def answer_doc(self, call: Call, doc: Doc) -> Answer:
        """``doc`` (made without GraphQL) budgeted and audited like any answer."""
        arguments = dict(call.arguments)
        budget = budget_of(arguments, self.settings)
        position = _position(arguments, call.tool)
        return await self._answer(call, Page(doc), arguments, position, budget, [])

    async def _answer(
        self,
        call: Call,
        page: Page,
        arguments: Mapping[str, Any],
        position: cursor.Position,
        budget: int,
        errors: list[str],
    ) -> Answer:
        doc = page.doc
        for number, message in enumerate(errors, 1):
            doc.head[f"error{number}" if len(errors) > 1 else "error"] = message
        records = doc.records
        fetched = position.seen + (records if page.fetched is None else page.fetched)
        beyond = max((page.total or 0) - fetched, 1 if page.has_next else 0)

        def cursor_for(shown: int) -> str:
            if shown >= records and page.has_next:
                after = cursor.Position(page.end_cursor, 0, fetched)
                return cursor.encode(call.tool, arguments, after)
            return cursor.encode(
                call.tool, arguments, cursor.Position(position.after, shown, position.seen)
            )

        try:
            fitted = fit(
                doc,
                budget,
                self.count,
                skip=position.skip,
                cursor_for=cursor_for,
                left_beyond=beyond,
            )
        except BudgetTooSmall as exc:
            raise ToolFailure(str(exc)) from None
        ids = shown_ids(doc, position.skip, fitted.shown)
        await self.audit(call, Outcome.OK, ids)
        return Answer(fitted.text or "nothing found", records=tuple(ids))

    async def audit(self, call: Call, outcome: Outcome, ids: list[str], **more: Any) -> None:
        """One event for the call in the audit chain; raises when it cannot be written."""
        details: dict[str, Any] = {"arguments": redacted(call.arguments), **more}
        if ids:
            details["records"] = ids[:200]
        trail = call.context.audit
        trail.record(
            f"mcp:{call.tool}", record=ids[0] if ids else None, outcome=outcome, details=details
        )
        await trail.flush()


def describe_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
