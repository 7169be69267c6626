"""Human review of the quarantine: inspect, correct, replay or discard what was kept.

A replay runs the same idempotent path as the client's request did, under a lease on the
record so that one replay at a time runs per record. It first looks the order up in the
ERP by its reference (the quarantined attempt may have created it), creates it only when
it is not there, and completes the idempotency key; a client retry then gets the order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from process_apis.errors import (
    ErpUnavailable,
    FlowError,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    RecordNotFound,
)
from process_apis.inbound.processor import INBOUND_EVENT, InboundProcessor
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER
from process_apis.quarantine.errors import OrderQuarantined, failure_details
from process_apis.quarantine.port import (
    QuarantinedRecord,
    QuarantineFilter,
    QuarantinePage,
    QuarantineStatus,
    QuarantineStore,
)
from system_apis.contracts.models import SalesOrder, split_id

logger = logging.getLogger(__name__)

KINDS = (PLACE_ORDER, INBOUND_EVENT)
"""Kinds of records this gateway can replay."""

MAX_NOTE = 2000


@dataclass(frozen=True)
class ReplayOutcome:
    """The record after a replay, with the order it placed or the error that kept it open.

    ``result`` names what the replay created or processed (the order id, or for an inbound
    event its id).
    """

    record: QuarantinedRecord
    order: SalesOrder | None = None
    error: FlowError | None = None
    result: str | None = None


@dataclass(frozen=True)
class ReplaySummary:
    """Counts of a bulk replay. ``skipped`` records were not tried: another replay held
    them, they were no longer open, or their ERP had just failed in this run."""

    replayed: int = 0
    failed: int = 0
    skipped: int = 0


class QuarantineReview:
    """The operations behind the admin API and the ``erp-gateway quarantine`` command."""

    def __init__(
        self,
        store: QuarantineStore,
        orders: OrderToInvoice,
        *,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        inbound: InboundProcessor | None = None,
    ):
        self._store = store
        self._orders = orders
        self._inbound = inbound
        # Longer than a replay can take (ERP timeouts and retries included): a lease that
        # ran out while its replay still runs would let a second replay start.
        self._lease = lease

    async def list(
        self, filter: QuarantineFilter, *, limit: int, offset: int = 0
    ) -> QuarantinePage:
        if filter.kind is not None and filter.kind not in KINDS:
            raise InvalidInput(
                f"unknown kind {filter.kind!r}; known: {', '.join(KINDS)}", field="kind"
            )
        return await self._store.list(filter, limit=limit, offset=offset)

    async def get(self, record_id: str) -> QuarantinedRecord:
        record = await self._store.get(record_id)
        if record is None:
            raise RecordNotFound("quarantined record", record_id, field="id")
        return record

    async def edit(self, record_id: str, payload: object) -> QuarantinedRecord:
        """Correct the payload of an open record; it is validated like a client's request.

        The idempotency key and the connection cannot change: the key is what keeps the
        order from being placed twice, and it is claimed on that connection.
        """
        record = await self.get(record_id)
        _require_open(record)
        if record.kind == INBOUND_EVENT:
            corrected = self._inbound_processor().check_payload(payload, record.payload)
            edited = await self._store.edit_payload(record_id, corrected)
            if edited is None:
                await self._refusal(record_id)
            return edited
        command = _command(record.kind, payload)
        if command.idempotency_key != record.idempotency_key:
            raise InvalidInput(
                "payload.idempotency_key: cannot change; it is what keeps the order from "
                "being placed twice",
                field="payload.idempotency_key",
            )
        if _connection_of(command.customer_id) != record.connection:
            raise InvalidInput(
                f"payload.customer_id: must stay a customer of connection {record.connection}",
                field="payload.customer_id",
            )
        updated = await self._store.edit_payload(record_id, command.model_dump(mode="json"))
        if updated is None:
            await self._refusal(record_id)
        return updated

    async def replay(self, record_id: str, *, by: str | None = None) -> ReplayOutcome:
        """Place the record's command again; a failure keeps it open with the new error."""
        record = await self.get(record_id)
        _require_open(record)
        if record.kind == INBOUND_EVENT:
            return await self._replay_inbound(record, by)
        command = _command(record.kind, record.payload)
        lease_until = dt.datetime.now(dt.UTC) + self._lease
        leased = await self._store.start_attempt(record_id, lease_until)
        if leased is None:
            await self._refusal(record_id)
        try:
            order = await self._orders.replay_order(command)
        except FlowError as exc:
            reason, erp_error = failure_details(exc)
            failed = await self._store.record_failure(record_id, reason, erp_error)
            return ReplayOutcome(record=failed or leased, error=_kept(exc, record_id))
        except Exception:
            # A bug, not the ERP: end the lease so the record can be tried again at once.
            await self._store.record_failure(
                record_id, "the replay failed unexpectedly; see the gateway's log", None
            )
            raise
        done = await self._store.mark_replayed(record_id, by=by, result=order.id)
        if done is None:
            # The lease ran out and someone resolved the record meanwhile.
            logger.warning(
                "quarantined record %s placed %s after it was closed", record_id, order.id
            )
            done = await self.get(record_id)
        return ReplayOutcome(record=done, order=order, result=order.id)

    async def _replay_inbound(self, record: QuarantinedRecord, by: str | None) -> ReplayOutcome:
        """Run a quarantined inbound event through its flow again, from the record's payload."""
        processor = self._inbound_processor()
        leased = await self._store.start_attempt(record.id, dt.datetime.now(dt.UTC) + self._lease)
        if leased is None:
            await self._refusal(record.id)
        try:
            event_id = await processor.replay(leased.payload)
        except FlowError as exc:
            reason, erp_error = failure_details(exc)
            failed = await self._store.record_failure(record.id, reason, erp_error)
            return ReplayOutcome(record=failed or leased, error=_kept(exc, record.id))
        except Exception:
            await self._store.record_failure(
                record.id, "the replay failed unexpectedly; see the gateway's log", None
            )
            raise
        done = await self._store.mark_replayed(record.id, by=by, result=event_id)
        return ReplayOutcome(record=done or await self.get(record.id), result=event_id)

    def _inbound_processor(self) -> InboundProcessor:
        if self._inbound is None:
            raise InvalidState("this gateway does not process inbound events")
        return self._inbound

    async def discard(
        self, record_id: str, note: str, *, by: str | None = None, release_key: bool = False
    ) -> QuarantinedRecord:
        """Close a record without placing it.

        The idempotency key stays claimed, so that the client's retries are refused with
        the note, until ``release_key`` frees it for a deliberate resend with the same key.
        """
        note = note.strip()
        if not note:
            raise InvalidInput("note: say why the record is discarded", field="note")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"note: must have at most {MAX_NOTE} characters", field="note")
        discarded = await self._store.mark_discarded(record_id, by=by, note=note)
        if discarded is None:
            await self._refusal(record_id)
        if release_key and discarded.kind == PLACE_ORDER and discarded.idempotency_key:
            await self._orders.release_order_key(discarded.connection, discarded.idempotency_key)
        return discarded

    async def replay_all(self, kind: str | None = None, *, by: str | None = None) -> ReplaySummary:
        """Replay every open record (of ``kind``), oldest first.

        Once a replay finds its ERP unavailable, the rest of that connection's records wait
        for the next run instead of each waiting for the same outage.
        """
        page_size = 100
        todo: list[QuarantinedRecord] = []
        while True:
            page = await self.list(
                QuarantineFilter(status=QuarantineStatus.OPEN, kind=kind),
                limit=page_size,
                offset=len(todo),
            )
            todo.extend(page.items)
            if not page.items or len(todo) >= page.total:
                break
        replayed = failed = skipped = 0
        down: set[str] = set()
        for record in todo:
            if record.connection in down:
                skipped += 1
                continue
            try:
                outcome = await self.replay(record.id, by=by)
            except InvalidInput:
                failed += 1  # the stored payload no longer validates: it needs an edit
                continue
            except FlowError:
                skipped += 1
                continue
            if outcome.result is not None:
                replayed += 1
            elif outcome.error is not None:
                failed += 1
                if isinstance(outcome.error, ErpUnavailable):
                    down.add(record.connection)
            else:
                skipped += 1
        return ReplaySummary(replayed=replayed, failed=failed, skipped=skipped)

    async def _refusal(self, record_id: str) -> NoReturn:
        """Raise why a change to an open record did not apply."""
        record = await self.get(record_id)
        _require_open(record)
        raise IdempotencyConflict(
            f"quarantined record {record_id} is being replayed right now; try again when "
            "the replay has finished",
            field="id",
        )


def _require_open(record: QuarantinedRecord) -> None:
    if record.status is not QuarantineStatus.OPEN:
        raise InvalidState(
            f"quarantined record {record.id} is already {record.status.value}", field="id"
        )


def _command(kind: str, payload: object) -> PlaceOrder:
    """The command a payload holds, validated as the client's request was."""
    if kind != PLACE_ORDER:
        raise InvalidState(f"records of kind {kind!r} cannot be replayed by this gateway")
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload: must be a JSON object", field="payload")
    try:
        return PlaceOrder.parse(**{str(name): value for name, value in payload.items()})
    except InvalidInput as exc:
        field = "payload" if exc.field is None else f"payload.{exc.field}"
        raise InvalidInput(f"payload.{exc.message}", field=field) from None


def _connection_of(customer_id: str) -> str | None:
    try:
        return split_id(customer_id)[0]
    except ValueError:
        return None


def _kept(exc: FlowError, record_id: str) -> FlowError:
    """The error of a failed replay; an ERP failure says that the record stays open."""
    if isinstance(exc, ErpUnavailable) and not isinstance(exc, OrderQuarantined):
        return OrderQuarantined(
            f"{exc.message}; quarantined record {record_id} stays open for another replay",
            quarantine_id=record_id,
            retry_after=exc.retry_after,
        )
    return exc
