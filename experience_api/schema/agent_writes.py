"""Admin operations on the writes AI agents asked for (``[mcp] writes = "approval"``): the
pending requests, and a person's approval or rejection. An approved request runs once, as
the agent that asked, through the same operation the agent would have run."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import cast

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON

from experience_api.schema.authorization import requires
from experience_api.schema.context import Info
from experience_api.schema.errors import ClientError
from experience_api.schema.user_errors import UserError, user_error
from experience_api.security.permissions import Scope
from process_apis.agent_writes.port import WriteRequest, WriteStatus
from process_apis.agent_writes.review import AgentWriteReview
from process_apis.errors import FlowError

ADMIN = "Admin operation (agent writes). "
_ADMIN: list[type[BasePermission]] = [requires(Scope.ADMIN)]


@strawberry.enum(description="Where an agent's write request stands.")
class AgentWriteStatus(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DONE = "done"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"


@strawberry.type(description="A write an AI agent asked for, and its decision.")
class AgentWriteRequest:
    id: strawberry.ID
    tool: str = strawberry.field(
        description="`place_order`, `fulfill_order`, `invoice_order` or `cancel_order`."
    )
    arguments: JSON
    idempotency_key: str
    requester: str = strawberry.field(description="The agent's subject (its token's `sub`).")
    client_id: str
    status: AgentWriteStatus
    created_at: dt.datetime
    expires_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None
    result: str | None = strawberry.field(description="What the write did, once it ran.")

    @classmethod
    def from_model(cls, request: WriteRequest) -> AgentWriteRequest:
        return cls(
            id=strawberry.ID(request.id),
            tool=request.tool,
            arguments=cast(JSON, dict(request.arguments)),
            idempotency_key=request.idempotency_key,
            requester=request.requester,
            client_id=request.client_id,
            status=AgentWriteStatus(request.status.value),
            created_at=request.created_at,
            expires_at=request.expires_at,
            decided_by=request.decided_by,
            decided_at=request.decided_at,
            note=request.note,
            result=request.result,
        )


@strawberry.type
class AgentWriteRequestPayload:
    request: AgentWriteRequest | None
    errors: list[UserError]


def _review(info: Info) -> AgentWriteReview:
    review = info.context.services.agent_writes
    if review is None:
        raise ClientError("agent writes are not kept here ([mcp] writes is not approval)")
    return review


async def resolve_requests(
    info: Info, status: AgentWriteStatus | None = None
) -> list[AgentWriteRequest]:
    wanted = None if status is None else WriteStatus(status.value)
    return [AgentWriteRequest.from_model(r) for r in await _review(info).list(wanted)]


async def resolve_approve(info: Info, id: strawberry.ID) -> AgentWriteRequestPayload:
    try:
        request = await _review(info).approve(id, by=f"graphql:{info.context.principal.subject}")
    except FlowError as exc:
        return AgentWriteRequestPayload(request=None, errors=[user_error(exc)])
    return AgentWriteRequestPayload(request=AgentWriteRequest.from_model(request), errors=[])


async def resolve_reject(info: Info, id: strawberry.ID, note: str) -> AgentWriteRequestPayload:
    by = f"graphql:{info.context.principal.subject}"
    try:
        request = await _review(info).reject(id, by=by, note=note)
    except FlowError as exc:
        return AgentWriteRequestPayload(request=None, errors=[user_error(exc)])
    return AgentWriteRequestPayload(request=AgentWriteRequest.from_model(request), errors=[])


@strawberry.type
class AgentWriteQueries:
    agent_write_requests: list[AgentWriteRequest] = strawberry.field(
        resolver=resolve_requests,
        description=ADMIN + "Writes AI agents asked for, newest first (at most 100).",
        permission_classes=_ADMIN,
    )


@strawberry.type
class AgentWriteMutations:
    approve_agent_write: AgentWriteRequestPayload = strawberry.mutation(
        resolver=resolve_approve,
        description=ADMIN + "Approve a pending request: it runs now, once, as the agent.",
        permission_classes=_ADMIN,
    )
    reject_agent_write: AgentWriteRequestPayload = strawberry.mutation(
        resolver=resolve_reject,
        description=ADMIN + "Reject a pending request: it never runs.",
        permission_classes=_ADMIN,
    )
