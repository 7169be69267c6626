"""The delivery worker: sends due deliveries, signed, and decides what happens next.

Ordering: a subscription receives its events in the order they were enqueued. Only the
oldest pending delivery of a subscription is ever claimed, so event N+1 waits until N is
delivered, failed for good or cancelled. One failing receiver thus delays only its own
subscription; the price is that a slow receiver gets one request at a time, which is
what receivers that apply changes in order need.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

from opentelemetry.trace import SpanKind

from process_apis.observability import context_of, tracer
from process_apis.webhooks.backoff import RetryPolicy, retry_after_applies
from process_apis.webhooks.model import AttemptOutcome, AttemptResult, ClaimedDelivery
from process_apis.webhooks.port import WebhookRequest, WebhookResponse, WebhookSender, WebhookStore
from process_apis.webhooks.signing import signed_headers
from system_apis.contracts.retry_after import parse_retry_after

log = logging.getLogger(__name__)

GONE_REASON = "the receiver answered 410 Gone"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DeliveryWorker:
    """Claims due deliveries with a lease, sends them, records every attempt.

    Runs on every replica; the lease (longer than a request may take) makes sure that one
    attempt is made by one worker. A worker that dies mid-request leaves its lease to
    expire, and the delivery is tried again (receivers deduplicate on ``webhook-id``).
    """

    def __init__(
        self,
        store: WebhookStore,
        sender: WebhookSender,
        policy: RetryPolicy,
        *,
        concurrency: int = 4,
        lease_seconds: float = 60.0,
        poll_interval: float = 1.0,
        retention: dt.timedelta | None = None,
        purge_interval: float = 3600.0,
        clock: Callable[[], dt.datetime] = _now,
        on_attempt: Callable[[AttemptResult], None] | None = None,
    ):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._store = store
        self._sender = sender
        self._policy = policy
        self._concurrency = concurrency
        self._lease = dt.timedelta(seconds=lease_seconds)
        self._poll_interval = poll_interval
        self._clock = clock
        # Told of every judged attempt (for metrics).
        self._on_attempt = on_attempt
        self._wake = asyncio.Event()
        self._retention = retention
        self._purge_interval = purge_interval
        self._next_purge = 0.0

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Work until cancelled, with up to ``concurrency`` attempts in flight.

        A free slot is filled as soon as an attempt ends (its subscription's next delivery
        may be due at once), so a slow receiver occupies one slot, never the others. A
        failing claim (database down) is logged and tried again at the next poll.
        """
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while True:
                await self._purge_if_due()
                free = self._concurrency - len(in_flight)
                if free > 0:
                    try:
                        claimed = await self._claim(free)
                    except Exception:
                        log.exception("claiming webhook deliveries failed; retrying")
                        claimed = []
                    in_flight.update(asyncio.create_task(self._attempt(c)) for c in claimed)
                self._wake.clear()
                waker = asyncio.create_task(self._wake.wait())
                done, _ = await asyncio.wait(
                    {*in_flight, waker},
                    timeout=self._poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waker.cancel()
                for task in done - {waker}:
                    in_flight.discard(task)
                    if not task.cancelled() and task.exception() is not None:
                        log.error("webhook attempt failed", exc_info=task.exception())
        finally:
            # An attempt cut short keeps its lease until it expires; then it is sent again.
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _purge_if_due(self) -> None:
        """Now and then, drop delivered deliveries older than the retention (never failed
        or cancelled ones: they wait for an operator)."""
        if self._retention is None or time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self._purge_interval
        try:
            while await self._store.purge_delivered(self._clock() - self._retention) > 0:
                pass
        except Exception:
            log.exception("purging old webhook deliveries failed; retrying later")

    async def _claim(self, limit: int) -> list[ClaimedDelivery]:
        now = self._clock()
        return await self._store.claim(limit=limit, now=now, lease_until=now + self._lease)

    async def run_once(self) -> int:
        """Claim and send one batch of due deliveries; returns how many were attempted."""
        claimed = await self._claim(self._concurrency)
        if claimed:
            await asyncio.gather(*(self._attempt(c) for c in claimed))
        return len(claimed)

    async def _attempt(self, claimed: ClaimedDelivery) -> None:
        delivery = claimed.delivery
        started = self._clock()
        headers = signed_headers(delivery.event_id, delivery.payload, claimed.keys, started)
        request = WebhookRequest(
            url=claimed.url, body=delivery.payload.encode("utf-8"), headers=headers
        )
        with tracer().start_as_current_span(
            "webhook delivery",
            context=context_of(claimed.traceparent),
            kind=SpanKind.PRODUCER,
            attributes={
                "webhook.delivery_id": delivery.id,
                "webhook.subscription_id": delivery.subscription_id,
                "webhook.event_id": delivery.event_id,
                "webhook.attempt": delivery.attempts + 1,
                "erp.connection": delivery.connection,
            },
        ) as span:
            try:
                response = await self._sender.send(request)
            except Exception as exc:  # a sender bug must not lose the delivery
                log.exception("webhook sender failed unexpectedly")
                response = WebhookResponse(status_code=None, duration_ms=0, error=f"sender: {exc}")
            if response.status_code is not None:
                span.set_attribute("http.response.status_code", response.status_code)
        result, cancel_reason = self._judge(delivery.attempts + 1, response, started, self._clock())
        if self._on_attempt is not None:
            self._on_attempt(result)
        kept = await self._store.record_attempt(claimed, result, cancel_reason=cancel_reason)
        if not kept:
            log.warning(
                "webhook delivery %s: lease lost during the attempt",
                delivery.id,
                extra={"connection": delivery.connection, "record_id": delivery.id},
            )

    def _judge(
        self, attempts: int, response: WebhookResponse, at: dt.datetime, done: dt.datetime
    ) -> tuple[AttemptResult, str | None]:
        """The attempt's outcome; the next try is timed from when the answer came."""
        code = response.status_code
        error = response.error
        if code is not None and 200 <= code < 300:
            outcome, cancel = AttemptOutcome.DELIVERED, None
        elif code == 410:
            outcome, cancel = AttemptOutcome.GONE, GONE_REASON
            error = error or GONE_REASON
        else:
            if code is not None and error is None:
                error = f"HTTP {code}"
            outcome = (
                AttemptOutcome.FAILED if self._policy.exhausted(attempts) else AttemptOutcome.RETRY
            )
            cancel = None
        next_at = None
        if outcome is AttemptOutcome.RETRY:
            hint = (
                parse_retry_after(response.retry_after, done) if retry_after_applies(code) else None
            )
            next_at = done + dt.timedelta(seconds=self._policy.delay(attempts, hint))
        result = AttemptResult(
            attempted_at=at,
            status_code=code,
            error=error,
            duration_ms=response.duration_ms,
            response_body=response.body,
            outcome=outcome,
            next_attempt_at=next_at,
        )
        return result, cancel
