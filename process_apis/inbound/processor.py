"""The processor: runs stored inbound events through their flows, once each.

Every gateway replica runs it. An event is claimed with a lease (one conditional UPDATE),
handled, and marked processed in the transaction that stages the business events it
caused, so the outbox holds them exactly when the event counts as done. A process that
dies mid-way leaves a lease that runs out; the event is then handled again, which is safe
because handlers are idempotent (stock is posted once per reference, events are staged
once per id).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from process_apis.erp_errors import translated
from process_apis.errors import InvalidInput, InvalidState, RecordNotFound
from process_apis.inbound.completions import CompletionGroups
from process_apis.inbound.failures import Failure, classify
from process_apis.inbound.model import InboundEvent, InboundHandler, InboundStatus
from process_apis.inbound.port import InboundStore, LeaseLost
from process_apis.inbound.registry import InboundTypes, validated
from process_apis.metrics.port import INBOUND_TO_ERP, FlowObserver
from process_apis.quarantine.port import NewQuarantined, QuarantineStatus, QuarantineStore
from process_apis.read_cache import ReadCache, invalidate_aggregate
from process_apis.wakeups import woken

logger = logging.getLogger(__name__)

INBOUND_EVENT = "inbound_event"
"""The quarantine kind of inbound events that could not be processed."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing event is tried before it is quarantined.

    ``lease`` must exceed the longest a handler can take (ERP timeouts and retries
    included): a lease that runs out while its handler still runs lets a second process
    start the same event (harmless, as handlers are idempotent, but wasted work).
    """

    max_attempts: int = 8
    base_delay: dt.timedelta = dt.timedelta(seconds=2)
    max_delay: dt.timedelta = dt.timedelta(minutes=5)
    lease: dt.timedelta = dt.timedelta(minutes=5)

    def delay(self, attempts: int, retry_after: float | None = None) -> dt.timedelta:
        """Exponential backoff with jitter, at least what the ERP asked for."""
        exponential = self.base_delay * (2 ** max(attempts - 1, 0))
        delay: dt.timedelta = min(exponential, self.max_delay) * random.uniform(0.8, 1.0)
        if retry_after is not None:
            delay = max(delay, dt.timedelta(seconds=retry_after))
        return delay


@dataclass(frozen=True)
class ProcessReport:
    """Counts of one pass: ``skipped`` events were claimed by another process first;
    ``failed`` ones met an unexpected error (logged) and are retried like an outage."""

    processed: int = 0
    retried: int = 0
    quarantined: int = 0
    skipped: int = 0
    failed: int = 0


class InboundProcessor:
    """Claims due inbound events and dispatches them to their handlers."""

    def __init__(
        self,
        store: InboundStore,
        types: InboundTypes,
        quarantine: QuarantineStore,
        *,
        policy: RetryPolicy | None = None,
        batch_size: int = 50,
        concurrency: int = 16,
        on_staged: Callable[[], None] | None = None,
        cache: ReadCache | None = None,
        observer: FlowObserver | None = None,
    ):
        self._store = store
        self._types = types
        self._observer = observer
        self._quarantine = quarantine
        self._policy = policy or RetryPolicy()
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._completions = CompletionGroups(store)
        # Wakes the outbox relay, so the events go out now rather than at its next poll.
        self._on_staged = on_staged
        # Cached reads of the record an event changes are dropped before its handler runs.
        self._cache = cache

    def notify(self) -> None:
        """Something was stored: the running loop looks at once instead of at its next tick."""
        self._wake.set()

    async def run_periodically(self, interval: float) -> None:
        """Process due events until cancelled: up to ``concurrency`` at a time, taking the
        next due ones as soon as one finishes or an event is stored, else every ``interval``
        seconds (retries whose backoff has passed).

        Events of one ordering key are never in flight together: the store does not hand
        out an event while an earlier one of its key is pending (leased by a worker here or
        elsewhere, or waiting for its retry), so the changes of one record keep their order
        while different records are worked on side by side.
        """
        running: set[asyncio.Task[str]] = set()
        tally: Counter[str] = Counter()

        def finished(task: asyncio.Task[str]) -> None:
            running.discard(task)
            self._wake.set()  # the next event of its key may be due now
            if task.cancelled():
                return
            if (error := task.exception()) is not None:
                logger.error("inbound event processing failed", exc_info=error)
            else:
                tally[task.result()] += 1

        try:
            while True:
                self._wake.clear()
                room = min(self._concurrency - len(running), self._batch_size)
                if room > 0:
                    try:
                        for event in await self._store.claim_due(room, self._policy.lease):
                            task = asyncio.create_task(self._handle(event))
                            running.add(task)
                            task.add_done_callback(finished)
                    except Exception:
                        logger.exception("inbound event processing failed; trying again")
                if not running and (tally["processed"] or tally["quarantined"] or tally["retried"]):
                    logger.info("inbound events: %s", ProcessReport(**tally))
                    tally.clear()
                await woken(self._wake, interval)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await self._completions.drain()

    async def process_due(self) -> ProcessReport:
        """One pass: claim at most ``batch_size`` due events and handle them, ``concurrency``
        at a time.

        Due events have distinct ordering keys (only the earliest pending event of a key is
        due), so running them side by side never reorders the changes of one record.
        """
        gate = asyncio.Semaphore(self._concurrency)

        async def one(event: InboundEvent) -> str:
            async with gate:
                return await self._handle(event)

        claimed = await self._store.claim_due(self._batch_size, self._policy.lease)
        outcomes = await asyncio.gather(*(one(event) for event in claimed))
        counts: dict[str, int] = dict.fromkeys(ProcessReport.__dataclass_fields__, 0)
        for outcome in outcomes:
            counts[outcome] += 1
        return ProcessReport(**counts)

    async def process(self, event_id: str) -> str:
        """Claim and handle one event; returns which ProcessReport count it adds to."""
        event = await self._store.claim(event_id, self._policy.lease)
        if event is None:
            return "skipped"
        return await self._handle(event)

    async def _handle(self, event: InboundEvent) -> str:
        """Handle a leased event: completed, retried later or quarantined; the observer is
        told how it ended (and, once processed, how long it took since it was received)."""
        outcome = await self._handled(event)
        if self._observer is not None and outcome != "skipped":
            self._observer.flow_finished(f"inbound:{event.type}", event.connection, outcome)
            if outcome == "processed":
                seconds = (dt.datetime.now(dt.UTC) - event.received_at).total_seconds()
                self._observer.data_latency(INBOUND_TO_ERP, event.type, event.connection, seconds)
        return outcome

    async def _handled(self, event: InboundEvent) -> str:
        try:
            handler = self._types.handler(event.type)
            data = validated(handler.data_models[event.type], event.data, prefix="data")
            await self._uncache(event, handler, data)
            events = await handler.handle(event, data)
        except Exception as exc:
            return await self._failed(event, exc)
        try:
            staged = await self._completions.complete(event, events)
        except LeaseLost:
            logger.warning(
                "inbound event %s: lease lost, another process finishes it",
                event.id,
                extra={"connection": event.connection, "record_id": event.id},
            )
            return "skipped"
        self._staged(staged)
        return "processed"

    async def _failed(self, event: InboundEvent, exc: Exception) -> str:
        failure = classify(exc)
        if failure is None:
            # A bug, not the ERP: retried with backoff like an outage (a fix deployed
            # meanwhile lets it pass), and quarantined when the attempts run out.
            logger.exception(
                "inbound event %s: unexpected error",
                event.id,
                extra={"connection": event.connection, "record_id": event.id},
            )
            failure = Failure(reason=f"unexpected error ({type(exc).__name__})", transient=True)
            outcome = "failed"
        else:
            outcome = "retried"
        if failure.transient and event.attempts < self._policy.max_attempts:
            at = dt.datetime.now(dt.UTC) + self._policy.delay(event.attempts, failure.retry_after)
            await self._store.retry_later(event, at, failure.reason)
            return outcome
        if failure.transient:
            failure = replace(
                failure, reason=f"{failure.reason} (gave up after {event.attempts} attempts)"
            )
        await self._quarantine_event(event, failure)
        return "quarantined"

    async def _quarantine_event(self, event: InboundEvent, failure: Failure) -> None:
        # A crash after the record was added but before the event was marked brings the
        # event back: the record is found again by the event id instead of kept twice.
        record = await self._quarantine.find_by_key(INBOUND_EVENT, event.connection, event.id)
        if record is None or record.status is not QuarantineStatus.OPEN:
            record = await self._quarantine.add(
                NewQuarantined(
                    kind=INBOUND_EVENT,
                    connection=event.connection,
                    payload=quarantine_payload(event),
                    reason=failure.reason,
                    erp_error=failure.erp_error,
                    idempotency_key=event.id,
                )
            )
        if not await self._store.quarantined(event, record.id, failure.reason):
            logger.warning("inbound event %s: lease lost before it was quarantined", event.id)

    async def replay(self, payload: Mapping[str, Any]) -> str:
        """Handle a quarantined event again from its (possibly corrected) quarantine payload.

        Returns the inbound event id. Raises FlowErrors: InvalidInput for a payload that
        does not validate, ERP failures translated as for a client request.
        """
        event_id = payload.get("inbound_event_id")
        if not isinstance(event_id, str):
            raise InvalidInput("payload.inbound_event_id: required", field="payload")
        stored = await self._store.get(event_id)
        if stored is None:
            raise RecordNotFound("inbound event", event_id, field="payload.inbound_event_id")
        if stored.status is not InboundStatus.QUARANTINED:
            raise InvalidState(
                f"inbound event {event_id} is {stored.status.value}, not quarantined"
            )
        event = replace(stored, data=dict(payload.get("data") or {}))
        handler = self._types.handler(event.type)
        data = validated(handler.data_models[event.type], event.data, prefix="payload.data")
        await self._uncache(event, handler, data)
        with translated("record", event_id):
            events = await handler.handle(event, data)
        self._staged(await self._store.complete_replay(event.id, events))
        return event.id

    async def _uncache(self, event: InboundEvent, handler: InboundHandler, data: BaseModel) -> None:
        """Drop the cached reads of the record the event changes: its handler reads the ERP."""
        if self._cache is not None:
            await invalidate_aggregate(self._cache, handler.ordering_key(event.connection, data))

    def _staged(self, count: int) -> None:
        if count and self._on_staged is not None:
            self._on_staged()

    def check_payload(self, payload: object, original: Mapping[str, Any]) -> dict[str, Any]:
        """An operator's corrected payload, validated; only ``data`` may change."""
        if not isinstance(payload, Mapping):
            raise InvalidInput("payload: must be a JSON object", field="payload")
        for name in ("inbound_event_id", "source", "webhook_id", "type", "connection"):
            if payload.get(name) != original.get(name):
                raise InvalidInput(
                    f"payload.{name}: cannot change; only data can be corrected",
                    field=f"payload.{name}",
                )
        type_name = str(original.get("type"))
        handler = self._types.handler(type_name)
        data = validated(handler.data_models[type_name], payload.get("data"), prefix="payload.data")
        return {**original, "data": data.model_dump(mode="json", exclude_none=True)}


def quarantine_payload(event: InboundEvent) -> dict[str, Any]:
    """What the quarantine keeps of an inbound event: enough to run it again."""
    return {
        "inbound_event_id": event.id,
        "source": event.source,
        "webhook_id": event.webhook_id,
        "type": event.type,
        "connection": event.connection,
        "data": dict(event.data),
    }
