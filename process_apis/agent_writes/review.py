"""A person's review of the writes agents ask for: pending until approved or rejected;
an approved request runs exactly once, a rejected or expired one never.

Running a request is the experience layer's business (the same operation, as the agent
that asked): the composition root binds it with :meth:`AgentWriteReview.bind`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from process_apis.agent_writes.port import WriteRequest, WriteRequestStore, WriteStatus
from process_apis.errors import InvalidInput, InvalidState, RecordNotFound

Executor = Callable[[WriteRequest], Awaitable[tuple[bool, str]]]
"""Runs an approved request; (succeeded, what it did, in words)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AgentWriteReview:
    def __init__(
        self,
        store: WriteRequestStore,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._executor: Executor | None = None

    def bind(self, executor: Executor) -> None:
        """What runs an approved request (set once by the composition root)."""
        self._executor = executor

    async def submit(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        idempotency_key: str,
        *,
        requester: str,
        client_id: str,
        principal: Mapping[str, Any],
    ) -> WriteRequest:
        """A pending request; the one submitted before with the same client, tool and key."""
        if not idempotency_key.strip() or len(idempotency_key) > 255:
            raise InvalidInput("idempotencyKey must be 1 to 255 characters", field="idempotencyKey")
        now = self.clock()
        request = WriteRequest(
            id=str(uuid.uuid4()),
            tool=tool,
            arguments=dict(arguments),
            idempotency_key=idempotency_key,
            requester=requester,
            client_id=client_id,
            principal=dict(principal),
            status=WriteStatus.PENDING,
            created_at=now,
            expires_at=now + self.ttl,
        )
        stored = await self.store.add(request)
        if stored.id != request.id and dict(stored.arguments) != dict(request.arguments):
            raise InvalidInput(
                "this idempotency key was used for another request", field="idempotencyKey"
            )
        return await self._expired(stored)

    async def get(self, request_id: str) -> WriteRequest:
        found = await self.store.get(request_id)
        if found is None:
            raise RecordNotFound("agent write request", request_id)
        return await self._expired(found)

    async def list(self, status: WriteStatus | None = None, limit: int = 100) -> list[WriteRequest]:
        return [await self._expired(r) for r in await self.store.list(status, limit)]

    async def approve(self, request_id: str, by: str) -> WriteRequest:
        """Runs the request, once: only the approval that moves it out of pending runs it."""
        if self._executor is None:
            raise InvalidState("approved writes cannot run here: no executor is bound")
        request = await self._pending(request_id)
        now = self.clock()
        if not await self.store.transition(
            request.id, WriteStatus.PENDING, WriteStatus.APPROVED, by=by, at=now
        ):
            raise InvalidState(f"agent write request {request_id} was decided meanwhile")
        succeeded, result = await self._executor(replace(request, status=WriteStatus.APPROVED))
        final = WriteStatus.DONE if succeeded else WriteStatus.FAILED
        await self.store.transition(request.id, WriteStatus.APPROVED, final, result=result)
        return await self.get(request.id)

    async def reject(self, request_id: str, by: str, note: str) -> WriteRequest:
        if not note.strip():
            raise InvalidInput("say why the request is rejected", field="note")
        request = await self._pending(request_id)
        if not await self.store.transition(
            request.id, WriteStatus.PENDING, WriteStatus.REJECTED, by=by, at=self.clock(), note=note
        ):
            raise InvalidState(f"agent write request {request_id} was decided meanwhile")
        return await self.get(request.id)

    async def _pending(self, request_id: str) -> WriteRequest:
        request = await self.get(request_id)
        if request.status is not WriteStatus.PENDING:
            raise InvalidState(
                f"agent write request {request_id} is {request.status.value}, not pending"
            )
        return request

    async def _expired(self, request: WriteRequest) -> WriteRequest:
        """``request``, marked expired when it stayed pending past its time."""
        if request.status is WriteStatus.PENDING and self.clock() >= request.expires_at:
            await self.store.transition(request.id, WriteStatus.PENDING, WriteStatus.EXPIRED)
            found = await self.store.get(request.id)
            return found or request
        return request
