"""The state ports under contract: each suite runs over the in-memory fake the unit tests
use, over SQLite and over the PostgreSQL service.

``backend`` builds the stores of one backend on one outbox, so a suite can check what a
store staged through the outbox reader of the same backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from process_apis.audit.port import AuditLog
from process_apis.audit.sql_store import SqlAuditLog
from process_apis.change_capture.port import WatermarkStore
from process_apis.change_capture.sql_store import SqlWatermarkStore
from process_apis.events.lease import Clock, DbLease
from process_apis.events.model import Event
from process_apis.events.port import Outbox, OutboxReader
from process_apis.events.sql_outbox import SqlOutbox
from process_apis.events.sql_reader import SqlOutboxReader
from process_apis.idempotency.port import IdempotencyStore
from process_apis.idempotency.sql_store import SqlIdempotencyStore
from process_apis.inbound.port import InboundStore
from process_apis.inbound.sql_store import SqlInboundStore
from process_apis.quarantine.port import QuarantineStore
from process_apis.quarantine.sql_store import SqlQuarantineStore
from process_apis.webhooks.port import WebhookStore
from process_apis.webhooks.sql_store import SqlWebhookStore
from tests.fakes.memory_audit import AuditTrail, MemoryAuditLog
from tests.fakes.memory_inbound import MemoryInboundStore
from tests.fakes.memory_lease import MemoryLease, MemoryLeases
from tests.fakes.memory_outbox import MemoryOutbox
from tests.fakes.memory_quarantine import MemoryQuarantineStore
from tests.fakes.memory_store import MemoryIdempotencyStore
from tests.fakes.memory_watermarks import MemoryWatermarkStore
from tests.fakes.memory_webhooks import MemoryWebhookStore
from tests.support.state import STATE_BACKENDS, postgres_schema, sqlite_state


@dataclass
class Backend:
    """The stores of one backend; ``engine`` is None for the in-memory fakes."""

    name: str
    engine: AsyncEngine | None = None
    memory: MemoryOutbox = field(default_factory=MemoryOutbox)
    leases: MemoryLeases = field(default_factory=MemoryLeases)
    audit: AuditTrail = field(default_factory=AuditTrail)

    def inbound(self) -> InboundStore:
        if self.engine is None:
            return MemoryInboundStore(self.memory)
        return SqlInboundStore(self.engine)

    def watermarks(self) -> WatermarkStore:
        if self.engine is None:
            return MemoryWatermarkStore(self.memory)
        return SqlWatermarkStore(self.engine)

    def outbox(self) -> OutboxReader:
        if self.engine is None:
            return self.memory
        return SqlOutboxReader(self.engine)

    def idempotency(self) -> IdempotencyStore:
        if self.engine is None:
            return MemoryIdempotencyStore(self.memory)
        return SqlIdempotencyStore(self.engine)

    def quarantine(self) -> QuarantineStore:
        if self.engine is None:
            return MemoryQuarantineStore()
        return SqlQuarantineStore(self.engine)

    def audit_log(self, key: bytes) -> AuditLog:
        """A log on this backend's one audit trail (each call: one more replica)."""
        if self.engine is None:
            return MemoryAuditLog(key, self.audit)
        return SqlAuditLog(self.engine, key, batch_size=7)  # small batches: reads page

    def webhooks(self) -> WebhookStore:
        if self.engine is None:
            return MemoryWebhookStore()
        return SqlWebhookStore(self.engine)

    def outbox_writer(self) -> Outbox:
        if self.engine is None:
            return self.memory
        return SqlOutbox(self.engine)

    def lease(
        self, name: str, holder: str, ttl: dt.timedelta, clock: Clock
    ) -> MemoryLease | DbLease:
        if self.engine is None:
            return MemoryLease(self.leases, name, holder=holder, ttl=ttl, clock=clock)
        return DbLease(self.engine, name, holder=holder, ttl=ttl, clock=clock)

    async def stage(self, events: Sequence[Event]) -> None:
        """Stage events as a flow does, outside the store under test."""
        if self.engine is None:
            self.memory.stage(events)
        else:
            await SqlOutbox(self.engine).append(events)

    async def staged(self) -> list[Event]:
        """Every unpublished event, in outbox order."""
        return [s.event for s in await self.outbox().unpublished(10_000)]


@pytest.fixture(params=("memory", *STATE_BACKENDS))
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        yield Backend("memory")
        return
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            engine = await sqlite_state(tmp_path / "state.sqlite")
            stack.push_async_callback(engine.dispose)
        else:
            engine = await stack.enter_async_context(postgres_schema())
        yield Backend(request.param, engine)
