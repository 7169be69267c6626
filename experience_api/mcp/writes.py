"""Write tools for agents, only when ``[mcp] writes`` allows them: ``on`` runs them at once,
``approval`` keeps each as a request a person approves or rejects (the agent reads its
status with ``write_request_status``). Either way a write needs the caller's own scope and
an idempotency key, and runs the same GraphQL mutation a front end would, as the agent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from experience_api.mcp.compact import render, to_doc
from experience_api.mcp.runner import Answer, Call, Runner, ToolFailure
from experience_api.security.permissions import Scope
from experience_api.security.principal import Principal
from experience_api.services import Services
from process_apis.agent_writes.port import WriteRequest
from process_apis.agent_writes.review import Executor
from process_apis.audit.model import Outcome
from process_apis.errors import FlowError

KEY = "idempotencyKey"
STATUS_TOOL = "write_request_status"
_KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "description": "your own key for this write: repeating the call with it never writes twice",
}


@dataclass(frozen=True)
class WriteTool:
    name: str
    description: str
    scope: Scope
    document: str
    properties: Mapping[str, Any]
    required: tuple[str, ...]

    def variables(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        if self.name == "place_order":
            return {
                "input": {
                    KEY: arguments[KEY],
                    "customerId": arguments.get("customerId"),
                    "lines": arguments.get("lines"),
                }
            }
        if self.name == "cancel_order":
            return {
                "orderId": arguments.get("orderId"),
                "key": arguments[KEY],
                "reason": arguments.get("reason"),
            }
        return {"orderId": arguments.get("orderId")}

    @property
    def input_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {**self.properties, KEY: _KEY_SCHEMA},
            "required": [*self.required, KEY],
        }


WRITE_TOOLS = (
    WriteTool(
        "place_order",
        "Create a sales order for a customer in its ERP: lines of SKU and quantity (optionally "
        "a location). Needs orders:write.",
        Scope.ORDERS_WRITE,
        """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
          order { id status net: netAmount { amount currency } } errors { code message } } }""",
        {
            "customerId": {"type": "string"},
            "lines": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "sku": {"type": "string"},
                        "quantity": {"type": ["string", "number"]},
                        "location": {"type": "string"},
                    },
                    "required": ["sku", "quantity"],
                },
            },
        },
        ("customerId", "lines"),
    ),
    WriteTool(
        "fulfill_order",
        "Deliver every open line of an order and post the goods issue. Needs orders:write.",
        Scope.ORDERS_WRITE,
        """mutation($orderId: ID!) { fulfillOrder(orderId: $orderId) {
          delivery { id goodsIssued: goodsIssueDate } order { id status }
          errors { code message } } }""",
        {"orderId": {"type": "string"}},
        ("orderId",),
    ),
    WriteTool(
        "invoice_order",
        "Bill what was shipped of an order. Needs invoices:write.",
        Scope.INVOICES_WRITE,
        """mutation($orderId: ID!) { invoiceOrder(orderId: $orderId) {
          invoice { id gross: grossAmount { amount currency } status }
          errors { code message } } }""",
        {"orderId": {"type": "string"}},
        ("orderId",),
    ),
    WriteTool(
        "cancel_order",
        "Cancel an order nothing was shipped or billed for (a stuck one); refused with "
        "NOT_CANCELLABLE once goods left or it is billed. Needs orders:write.",
        Scope.ORDERS_WRITE,
        """mutation($orderId: ID!, $key: String!, $reason: String) {
          cancelOrder(orderId: $orderId, idempotencyKey: $key, reason: $reason) {
          order { id status } errors { code message } } }""",
        {"orderId": {"type": "string"}, "reason": {"type": "string", "maxLength": 255}},
        ("orderId",),
    ),
)
WRITES_BY_NAME = {tool.name: tool for tool in WRITE_TOOLS}
STATUS_SCHEMA = {
    "type": "object",
    "properties": {"requestId": {"type": "string"}},
    "required": ["requestId"],
}


def snapshot(principal: Principal) -> dict[str, Any]:
    """Who a write runs as once approved."""
    return {
        "subject": principal.subject,
        "client_id": principal.client_id,
        "roles": sorted(principal.roles),
        "scopes": sorted(s.value for s in principal.scopes),
        "connections": None if principal.connections is None else sorted(principal.connections),
    }


def principal_of(saved: Mapping[str, Any]) -> Principal:
    connections = saved.get("connections")
    return Principal(
        subject=str(saved["subject"]),
        client_id=str(saved["client_id"]),
        roles=frozenset(saved.get("roles", ())),
        scopes=frozenset(Scope(s) for s in saved.get("scopes", ())),
        connections=None if connections is None else frozenset(connections),
    )


async def run_write(runner: Runner, call: Call, tool: WriteTool) -> tuple[bool, str]:
    """The mutation for ``call``: (succeeded, the compact answer)."""
    result = await runner.execute(call, tool.document, tool.variables(call.arguments))
    if result.data is None:
        return False, "; ".join(e.message for e in result.errors or []) or "nothing happened"
    payload = next(iter(result.data.values()), None) or {}
    failed = bool(result.errors) or bool(payload.get("errors"))
    return not failed, render(to_doc(payload)) or "done"


class Writes:
    """The write tools of one mode (``on`` or ``approval``)."""

    def __init__(self, runner: Runner, mode: str) -> None:
        self.runner = runner
        self.mode = mode
        self.tools = dict(WRITES_BY_NAME)

    async def call(self, call: Call, tool: WriteTool) -> Answer:
        if not call.principal.has(tool.scope):
            raise ToolFailure(f"this needs the scope '{tool.scope.value}'")
        arguments = call.arguments
        unknown = set(arguments) - set(tool.input_schema["properties"])
        missing = [name for name in tool.input_schema["required"] if not arguments.get(name)]
        if unknown or missing:
            raise ToolFailure(
                "; ".join(
                    [f"unknown argument(s): {', '.join(sorted(unknown))}"] * bool(unknown)
                    + [f"missing: {', '.join(missing)}"] * bool(missing)
                )
            )
        if not isinstance(arguments[KEY], str):
            raise ToolFailure(f"{KEY} must be a string")
        if self.mode == "on":
            succeeded, text = await run_write(self.runner, call, tool)
            outcome = Outcome.OK if succeeded else Outcome.REJECTED
            await self.runner.audit(call, outcome, [])
            return Answer(text, error=not succeeded)
        review = call.services.agent_writes
        if review is None:
            raise ToolFailure("writes need approval, but no approval store is configured")
        try:
            request = await review.submit(
                tool.name,
                {k: v for k, v in arguments.items() if k != KEY},
                arguments[KEY],
                requester=call.principal.subject,
                client_id=call.principal.client_id,
                principal=snapshot(call.principal),
            )
        except FlowError as exc:
            raise ToolFailure(exc.message) from None
        await self.runner.audit(call, Outcome.OK, [], request=request.id)
        return Answer(_status_text(request))

    async def status(self, call: Call) -> Answer:
        review = call.services.agent_writes
        request_id = call.arguments.get("requestId")
        if review is None or not isinstance(request_id, str):
            raise ToolFailure("requestId must name a write request")
        try:
            request = await review.get(request_id)
        except FlowError:
            raise ToolFailure("not found") from None
        if request.client_id != call.principal.client_id:
            raise ToolFailure("not found")
        await self.runner.audit(call, Outcome.OK, [], request=request.id)
        return Answer(_status_text(request))


def _status_text(request: WriteRequest) -> str:
    lines = [
        f"request: {request.id}",
        f"tool: {request.tool}",
        f"status: {request.status.value}",
    ]
    if request.status.value == "pending":
        lines.append(f"expires: {request.expires_at.isoformat(timespec='minutes')}")
        lines.append("a person approves or rejects it; ask write_request_status for news")
    for name in ("decided_by", "note", "result"):
        value = getattr(request, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def executor(runner: Runner, services: Services, tools: Mapping[str, WriteTool]) -> Executor:
    """What runs an approved request: its tool, as the agent that asked, audited."""

    async def run(request: WriteRequest) -> tuple[bool, str]:
        tool = tools[request.tool]
        arguments = {**request.arguments, KEY: request.idempotency_key}
        call = Call(tool.name, arguments, principal_of(request.principal), services)
        succeeded, text = await run_write(runner, call, tool)
        outcome = Outcome.OK if succeeded else Outcome.REJECTED
        await runner.audit(call, outcome, [], request=request.id, approved=True)
        return succeeded, text

    return run
