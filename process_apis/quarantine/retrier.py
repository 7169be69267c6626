"""Automatic retries of pending quarantine records: what the ERP could not take *for now*.

Each sweep takes the records whose retry time has come (earliest first), leases each (one
retry at a time per record, across replicas) and runs it through its kind's replayer, the
path an operator's replay takes: what an earlier attempt wrote is looked up before anything is
written, and the order's events announce the completion to subscribers and webhooks. Then:

- placed: the record is closed as replayed;
- the ERP failed for now again: rescheduled with backoff (never before its ``Retry-After``);
  the connection's other records wait for the next sweep instead of each meeting the same
  outage or open breaker;
- refused for a reason a person must judge, or past the schedule's deadline: to review.

Calls go through the connection's resilience wrapper, so a backlog drains at the
connection's rate limit, and an open breaker refuses them without reaching the ERP while its
half-open probes decide when the ERP is back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from process_apis.errors import ErpUnavailable, FlowError
from process_apis.quarantine.errors import failure_details
from process_apis.quarantine.port import QuarantinedRecord, QuarantineStore
from process_apis.quarantine.replayers import Replayers
from process_apis.quarantine.schedule import RetrySchedule, retry_later

logger = logging.getLogger(__name__)

RETRIED_BY = "automatic retry"
"""``resolved_by`` of records the gateway placed by itself."""


@dataclass(frozen=True)
class RetryReport:
    """Counts of one sweep: ``placed`` closed as replayed, ``rescheduled`` still pending,
    ``to_review`` handed to a person, ``skipped`` left for the next sweep (held by another
    replay, or their connection just failed)."""

    placed: int = 0
    rescheduled: int = 0
    to_review: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.placed + self.rescheduled + self.to_review + self.skipped


class PendingRetries:
    """Retries due pending records (see the module doc); safe on every replica at once."""

    def __init__(
        self,
        store: QuarantineStore,
        replayers: Replayers,
        schedule: RetrySchedule,
        *,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        batch_size: int = 100,
        concurrency: int = 4,
    ):
        self._store = store
        self._replayers = replayers
        self._schedule = schedule
        self._lease = lease  # longer than one retry can take, as the review's
        self._batch_size = batch_size
        self._concurrency = concurrency

    async def run_due(self, now: dt.datetime | None = None) -> RetryReport:
        """One sweep over at most ``batch_size`` due records."""
        due = await self._store.due(now or dt.datetime.now(dt.UTC), limit=self._batch_size)
        down: set[str] = set()
        gate = asyncio.Semaphore(self._concurrency)
        outcomes: Counter[str] = Counter()

        async def one(record: QuarantinedRecord) -> None:
            async with gate:
                if record.connection in down:
                    outcomes["skipped"] += 1
                    return
                outcome = await self._retry(record)
                if outcome == "rescheduled":
                    down.add(record.connection)
                outcomes[outcome] += 1

        await asyncio.gather(*(one(record) for record in due))
        return RetryReport(
            placed=outcomes["placed"],
            rescheduled=outcomes["rescheduled"],
            to_review=outcomes["to_review"],
            skipped=outcomes["skipped"],
        )

    async def run_periodically(self, interval_seconds: float) -> None:
        """Sweep until nothing is due, wait ``interval_seconds``, again; errors are logged."""
        while True:
            try:
                report = await self.run_due()
            except Exception:
                logger.exception("retry of pending requests failed")
                report = RetryReport()
            if report.total:
                logger.info("pending requests retried: %s", report)
            if not report.placed:
                await asyncio.sleep(interval_seconds)

    async def _retry(self, record: QuarantinedRecord) -> str:
        now = dt.datetime.now(dt.UTC)
        try:
            replayer = self._replayers.of(record)
            replayer.check(record)
        except FlowError as exc:
            await self._store.to_review(record.id, exc.message, None)
            return "to_review"
        leased = await self._store.start_attempt(record.id, now + self._lease)
        if leased is None:
            return "skipped"  # another replica or an operator's replay holds it
        try:
            replayed = await replayer.replay(leased)
        except FlowError as exc:
            return await self._failed(leased, exc)
        except Exception:
            logger.exception(
                "automatic retry of %s %s failed",
                record.kind,
                record.id,
                extra={"connection": record.connection, "record_id": record.id},
            )
            await self._store.reschedule(
                record.id,
                self._schedule.next_retry(leased.attempts, dt.datetime.now(dt.UTC)),
                "the retry failed unexpectedly; see the gateway's log",
                None,
            )
            return "rescheduled"
        await self._store.mark_replayed(record.id, by=RETRIED_BY, result=replayed.result)
        return "placed"

    async def _failed(self, record: QuarantinedRecord, exc: FlowError) -> str:
        reason, erp_error = failure_details(exc)
        now = dt.datetime.now(dt.UTC)
        if not retry_later(exc):
            await self._store.to_review(record.id, reason, erp_error)
            return "to_review"
        if self._schedule.expired(record.created_at, now):
            hours = self._schedule.deadline.total_seconds() / 3600
            await self._store.to_review(
                record.id, f"not placed within the {hours:g} h deadline: {reason}", erp_error
            )
            return "to_review"
        asked = exc.retry_after if isinstance(exc, ErpUnavailable) else None
        retry_at = self._schedule.next_retry(record.attempts, now, asked)
        await self._store.reschedule(record.id, retry_at, reason, erp_error)
        return "rescheduled"
