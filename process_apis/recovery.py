"""Recovery of the orders that were in flight when a gateway process died.

An order is accepted once its idempotency key is claimed, and the claim keeps the command.
A process killed between the claim and the completion (SIGKILL, out of memory, a lost node)
leaves the claim in progress with nobody working on it and no client answered: without a
sweep the order would wait for a client retry that may never come. The sweep finds claims
untouched for longer than the in-flight timeout and finishes each by the path of a
quarantine replay: the key is reclaimed atomically (so that of several replicas one acts),
the order is looked up by its reference and created only when it is missing, and the key is
completed; a failure puts the order into quarantine (pending automatic retries when the ERP
failed for now). Nothing is dropped, nothing is created twice, as long as the in-flight
timeout exceeds the longest write to an ERP. Claims the quarantine took over (pending or in
review) are not stalled: it keeps their requests, so a sweep never wades through them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from process_apis.idempotency.port import KeyRecord
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.flow import OrderToInvoice
from process_apis.order_to_invoice.placing import PLACE_ORDER

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryReport:
    """Counts of one sweep.

    ``resumed_found``: the dead request had created the order, the key now records it;
    ``resumed_created``: the order was missing and is now created; ``pending``: the ERP
    failed for now, the order is retried automatically; ``quarantined``: the order waits
    for review; ``skipped``: another
    replica, a client retry or the quarantine had the claim; ``failed``: an unexpected
    error, logged, and the claim is tried again by a later sweep.
    """

    resumed_found: int = 0
    resumed_created: int = 0
    pending: int = 0
    quarantined: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return (
            self.resumed_found
            + self.resumed_created
            + self.pending
            + self.quarantined
            + self.skipped
            + self.failed
        )


class InFlightRecovery:
    """Finds stalled order claims and finishes them; safe to run on every replica at once."""

    def __init__(
        self,
        orders: OrderToInvoice,
        *,
        in_flight_timeout: dt.timedelta | None = None,
        batch_size: int = 100,
    ):
        self._orders = orders
        self._keys = orders.keys
        # The flow's own timeout by default: it is also the age after which a client retry
        # may take a claim over, and both must wait for the same dead request.
        self._timeout = in_flight_timeout or orders.in_flight_timeout
        self._batch_size = batch_size

    async def resume_stalled(self, now: dt.datetime | None = None) -> RecoveryReport:
        """One sweep over at most ``batch_size`` stalled claims, the oldest first.

        Resuming touches a claim, so a claim left as it was goes to the back of the queue
        and cannot hold up the ones behind it; one the quarantine holds leaves the queue.
        """
        stale_before = (now or dt.datetime.now(dt.UTC)) - self._timeout
        claims = await self._keys.stalled(f"{PLACE_ORDER}:", stale_before, limit=self._batch_size)
        outcomes: Counter[str] = Counter()
        # One claim at a time: after an outage the ERP should not get the whole backlog at once.
        for claim in claims:
            outcomes[await self._resume(claim, stale_before)] += 1
        return RecoveryReport(
            resumed_found=outcomes["found"],
            resumed_created=outcomes["created"],
            pending=outcomes["pending"],
            quarantined=outcomes["quarantined"],
            skipped=outcomes["skipped"],
            failed=outcomes["failed"],
        )

    async def run_periodically(self, interval_seconds: float) -> None:
        """Sweep now, then every ``interval_seconds``, until cancelled; errors are logged."""
        while True:
            try:
                report = await self.resume_stalled()
            except Exception:
                # The state database may be briefly unreachable; the next sweep tries again.
                logger.exception("in-flight recovery sweep failed")
            else:
                if report.total:
                    logger.info("in-flight recovery: %s", report)
            await asyncio.sleep(interval_seconds)

    async def _resume(self, claim: KeyRecord, stale_before: dt.datetime) -> str:
        if claim.request is None:
            return "skipped"  # claimed before commands were kept: only a client retry can help
        try:
            command = PlaceOrder.model_validate_json(claim.request)
            return await self._orders.resume_order(claim, command, stale_before)
        except Exception:
            # One bad claim must not stop the sweep; it stays claimed and is tried again.
            logger.exception("could not resume the order of key %r (%s)", claim.key, claim.scope)
            return "failed"
