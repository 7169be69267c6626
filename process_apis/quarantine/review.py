"""Human review of the quarantine: inspect, correct, replay or discard what was kept.

A replay runs the same idempotent path as the client's request did, under a lease on the
record so that one replay at a time runs per record. Each kind of record is replayed by the
flow that quarantined it, looked up in :class:`~process_apis.quarantine.replayers.Replayers`
(the composition root fills it): an order is first looked up in the ERP by its reference
(the quarantined attempt may have created it), created only when it is not there, and its
idempotency key is completed, so a client retry then gets the order.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
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
from process_apis.quarantine.errors import OrderQuarantined, failure_details
from process_apis.quarantine.port import (
    QuarantinedRecord,
    QuarantineFilter,
    QuarantinePage,
    QuarantineStatus,
    QuarantineStore,
)
from process_apis.quarantine.replayers import Replayers
from system_apis.contracts.models import SalesOrder

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

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
    left: int = 0
    """Open records after the run, whether tried or not."""


@dataclass(frozen=True)
class ReplayProgress:
    """Where a bulk replay stands: told after each record, and before each wait on an ERP
    that is down or throttling (``waiting_on`` the connection, for ``wait_seconds``)."""

    done: int
    total: int
    replayed: int
    failed: int
    skipped: int
    waiting_on: str | None = None
    wait_seconds: float = 0.0


ReplayListener = Callable[[ReplayProgress], None]


@dataclass
class _Ending:
    """How a person's action on a record ended, for the intervention counts."""

    outcome: str | None = "ok"


class QuarantineReview:
    """The operations behind the admin API and the ``erp-gateway quarantine`` command."""

    def __init__(
        self,
        store: QuarantineStore,
        replayers: Replayers,
        *,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        on_intervention: Callable[[str, str], None] | None = None,
    ):
        self._store = store
        self._replayers = replayers
        # Told of each edit, replay and discard with its outcome (for metrics).
        self._on_intervention = on_intervention
        # Longer than a replay can take (ERP timeouts and retries included): a lease that
        # ran out while its replay still runs would let a second replay start.
        self._lease = lease

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of records this gateway can replay."""
        return self._replayers.kinds

    async def list(
        self, filter: QuarantineFilter, *, limit: int, offset: int = 0
    ) -> QuarantinePage:
        if filter.kind is not None:
            self._replayers.check_kind(filter.kind)
        return await self._store.list(filter, limit=limit, offset=offset)

    async def get(self, record_id: str) -> QuarantinedRecord:
        record = await self._store.get(record_id)
        if record is None:
            raise RecordNotFound("quarantined record", record_id, field="id")
        return record

    async def edit(self, record_id: str, payload: object) -> QuarantinedRecord:
        """Correct the payload of an open record; it is validated like a client's request.

        What keeps the request from running twice cannot change: an order's idempotency key
        and connection (the key is claimed on that connection), an inbound event's identity.
        """
        with self._counted("edit"):
            return await self._edit(record_id, payload)

    async def _edit(self, record_id: str, payload: object) -> QuarantinedRecord:
        record = await self.get(record_id)
        _require_open(record)
        corrected = self._replayers.of(record).corrected(record, payload)
        updated = await self._store.edit_payload(record_id, corrected)
        if updated is None:
            await self._refusal(record_id)
        return updated

    async def replay(self, record_id: str, *, by: str | None = None) -> ReplayOutcome:
        """Run the record's request again; a failure keeps it open with the new error."""
        with self._counted("replay") as ending:
            replayed = await self._replay(record_id, by)
            if replayed.error is not None:
                ending.outcome = "failed"
            return replayed

    async def _replay(self, record_id: str, by: str | None) -> ReplayOutcome:
        record = await self.get(record_id)
        _require_open(record)
        replayer = self._replayers.of(record)
        replayer.check(record)
        lease_until = dt.datetime.now(dt.UTC) + self._lease
        leased = await self._store.start_attempt(record_id, lease_until)
        if leased is None:
            await self._refusal(record_id)
        try:
            replayed = await replayer.replay(leased)
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
        done = await self._store.mark_replayed(record_id, by=by, result=replayed.result)
        if done is None:
            # The lease ran out and someone resolved the record meanwhile.
            logger.warning(
                "quarantined record %s replayed as %s after it was closed",
                record_id,
                replayed.result,
            )
            done = await self.get(record_id)
        return ReplayOutcome(record=done, order=replayed.order, result=replayed.result)

    async def discard(
        self, record_id: str, note: str, *, by: str | None = None, release_key: bool = False
    ) -> QuarantinedRecord:
        """Close a record without placing it.

        The idempotency key stays claimed, so that the client's retries are refused with
        the note, until ``release_key`` frees it for a deliberate resend with the same key.
        """
        with self._counted("discard"):
            return await self._discard(record_id, note, by, release_key)

    async def _discard(
        self, record_id: str, note: str, by: str | None, release_key: bool
    ) -> QuarantinedRecord:
        note = note.strip()
        if not note:
            raise InvalidInput("note: say why the record is discarded", field="note")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"note: must have at most {MAX_NOTE} characters", field="note")
        if release_key:
            # Before anything changes: a key no replayer knows how to free is refused.
            self._replayers.of(await self.get(record_id))
        discarded = await self._store.mark_discarded(record_id, by=by, note=note)
        if discarded is None:
            await self._refusal(record_id)
        if release_key and discarded.idempotency_key:
            await self._replayers.of(discarded).release_key(discarded)
        return discarded

    async def replay_all(
        self,
        kind: str | None = None,
        *,
        by: str | None = None,
        patience: float = 0.0,
        sleep: Sleep = asyncio.sleep,
        progress: ReplayListener | None = None,
    ) -> ReplaySummary:
        """Replay every open record (of ``kind``), oldest first.

        When a replay finds its ERP unavailable (down, throttled, breaker open) the run waits
        as the ERP asks (its ``Retry-After``, else a backoff doubling up to 30 s) and tries
        the record again, so a backlog drains at the connection's pace; a connection that
        stays down for ``patience`` seconds in a row is left for the next run (at once with
        the default 0). ``left`` counts the open records after the run. ``progress`` hears
        where the run stands after each record and before each wait.
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
        counts: Counter[str] = Counter()
        given_up: set[str] = set()
        down_for: dict[str, float] = {}  # seconds each connection has waited in a row

        def tell(done: int, waiting_on: str | None = None, wait: float = 0.0) -> None:
            if progress is not None:
                progress(
                    ReplayProgress(
                        done,
                        len(todo),
                        counts["replayed"],
                        counts["failed"],
                        counts["skipped"],
                        waiting_on,
                        wait,
                    )
                )

        for done, record in enumerate(todo, start=1):
            if record.connection in given_up:
                counts["skipped"] += 1
                tell(done)
                continue
            while (failure := await self._replay_counted(record, by, counts)) is not None:
                down = down_for.get(record.connection, 0.0)
                wait = failure.retry_after or min(30.0, max(1.0, down))
                if down + wait > patience:
                    counts["failed"] += 1
                    given_up.add(record.connection)
                    break
                tell(done - 1, record.connection, wait)
                await sleep(wait)
                down_for[record.connection] = down + wait
            else:
                down_for.pop(record.connection, None)
            tell(done)
        left = await self._store.list(
            QuarantineFilter(status=QuarantineStatus.OPEN, kind=kind), limit=1
        )
        return ReplaySummary(
            replayed=counts["replayed"],
            failed=counts["failed"],
            skipped=counts["skipped"],
            left=left.total,
        )

    async def _replay_counted(
        self, record: QuarantinedRecord, by: str | None, counts: Counter[str]
    ) -> ErpUnavailable | None:
        """One replay of a bulk run, counted; an ERP failure is returned uncounted instead,
        for the caller to wait on or give up."""
        try:
            outcome = await self.replay(record.id, by=by)
        except InvalidInput:
            counts["failed"] += 1  # the stored payload no longer validates: it needs an edit
            return None
        except FlowError:
            counts["skipped"] += 1  # no longer open, or another replay holds it
            return None
        if isinstance(outcome.error, ErpUnavailable):
            return outcome.error
        if outcome.result is not None:
            counts["replayed"] += 1
        elif outcome.error is not None:
            counts["failed"] += 1
        else:
            counts["skipped"] += 1
        return None

    @contextlib.contextmanager
    def _counted(self, action: str) -> Iterator[_Ending]:
        """Tells the observer how ``action`` ended: ok (or what the block set), refused (a
        FlowError: not open, invalid, held by another replay), error. A cancelled one is not
        counted."""
        ending = _Ending()
        try:
            yield ending
        except FlowError:
            ending.outcome = "refused"
            raise
        except Exception:
            ending.outcome = "error"
            raise
        except BaseException:
            ending.outcome = None
            raise
        finally:
            if self._on_intervention is not None and ending.outcome is not None:
                self._on_intervention(action, ending.outcome)

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
    """Open or pending: an operator may also replay, edit or discard what is still retried."""
    if not record.unresolved:
        raise InvalidState(
            f"quarantined record {record.id} is already {record.status.value}", field="id"
        )


def _kept(exc: FlowError, record_id: str) -> FlowError:
    """The error of a failed replay; an ERP failure says that the record stays open."""
    if isinstance(exc, ErpUnavailable) and not isinstance(exc, OrderQuarantined):
        return OrderQuarantined(
            f"{exc.message}; quarantined record {record_id} stays open for another replay",
            quarantine_id=record_id,
            retry_after=exc.retry_after,
            erp=exc.erp,
        )
    return exc
