"""What the delivery worker makes of each answer, with a scripted sender and a store that
records what it is told (both satisfy the ports)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from process_apis.metrics.gateway import GatewayMetrics
from process_apis.webhooks.backoff import RetryPolicy
from process_apis.webhooks.model import (
    AttemptOutcome,
    AttemptResult,
    ClaimedDelivery,
    Delivery,
    DeliveryStatus,
    SigningKeys,
    new_secret,
)
from process_apis.webhooks.port import WebhookRequest, WebhookResponse
from process_apis.webhooks.worker import GONE_REASON, DeliveryWorker

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
SECRET = new_secret()


def _claimed(attempts: int = 0) -> ClaimedDelivery:
    delivery = Delivery(
        id="d-1",
        subscription_id="s-1",
        event_id="evt-1",
        event_type="order.placed",
        connection="EU01",
        payload='{"type":"order.placed"}',
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        series=1,
        next_attempt_at=NOW,
        last_status_code=None,
        last_error=None,
        created_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )
    return ClaimedDelivery(delivery, "https://r.example/in", SigningKeys(SECRET), "lease-1")


class OneDeliveryStore:
    """Hands out one claimed delivery, then records what the worker writes back."""

    def __init__(self, claimed: ClaimedDelivery):
        self._claimed: list[ClaimedDelivery] = [claimed]
        self.results: list[tuple[AttemptResult, str | None]] = []

    async def claim(self, **_: Any) -> list[ClaimedDelivery]:
        claimed, self._claimed = self._claimed, []
        return claimed

    async def record_attempt(
        self, claimed: ClaimedDelivery, result: AttemptResult, *, cancel_reason: str | None
    ) -> bool:
        self.results.append((result, cancel_reason))
        return True


class ScriptedSender:
    def __init__(self, response: WebhookResponse):
        self.response = response
        self.requests: list[WebhookRequest] = []

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        self.requests.append(request)
        return self.response


async def _attempt(
    response: WebhookResponse, *, attempts: int = 0, policy: RetryPolicy | None = None
) -> tuple[AttemptResult, str | None, Sequence[WebhookRequest]]:
    store = OneDeliveryStore(_claimed(attempts))
    sender = ScriptedSender(response)
    worker = DeliveryWorker(
        store,  # type: ignore[arg-type]
        sender,
        policy or RetryPolicy(schedule=(10, 60), max_attempts=3, jitter=0),
        clock=lambda: NOW,
    )
    assert await worker.run_once() == 1
    [(result, cancel)] = store.results
    return result, cancel, sender.requests


async def test_2xx_is_delivered_and_the_request_is_signed() -> None:
    result, cancel, [request] = await _attempt(WebhookResponse(204, duration_ms=5))
    assert (result.outcome, result.next_attempt_at, cancel) == (
        AttemptOutcome.DELIVERED,
        None,
        None,
    )
    # The signature covers the id, the timestamp the header names and the body.
    assert request.headers["webhook-id"] == "evt-1"
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    expected = Webhook(SECRET).sign("evt-1", NOW, request.body.decode())
    assert request.headers["webhook-signature"] == expected


@pytest.mark.parametrize("code", [500, 502, 400, 404, 302])
async def test_other_answers_are_retried_on_the_schedule(code: int) -> None:
    result, cancel, _ = await _attempt(WebhookResponse(code, duration_ms=5, body="nope"))
    assert result.outcome is AttemptOutcome.RETRY
    assert result.next_attempt_at == NOW + dt.timedelta(seconds=10)
    assert (result.error, result.response_body, cancel) == (f"HTTP {code}", "nope", None)


async def test_no_answer_is_retried_with_its_error() -> None:
    result, _, _ = await _attempt(WebhookResponse(None, duration_ms=10000, error="timeout"))
    assert (result.outcome, result.status_code, result.error) == (
        AttemptOutcome.RETRY,
        None,
        "timeout",
    )


@pytest.mark.parametrize("code", [429, 503])
async def test_retry_after_counts_on_429_and_503(code: int) -> None:
    result, _, _ = await _attempt(WebhookResponse(code, duration_ms=1, retry_after="3"))
    assert result.next_attempt_at == NOW + dt.timedelta(seconds=3)


async def test_retry_after_is_ignored_on_other_answers() -> None:
    result, _, _ = await _attempt(WebhookResponse(500, duration_ms=1, retry_after="3"))
    assert result.next_attempt_at == NOW + dt.timedelta(seconds=10)


async def test_the_schedule_follows_the_attempt_number() -> None:
    result, _, _ = await _attempt(WebhookResponse(500, duration_ms=1), attempts=1)
    assert result.next_attempt_at == NOW + dt.timedelta(seconds=60)


async def test_the_last_allowed_attempt_fails_for_good() -> None:
    result, cancel, _ = await _attempt(WebhookResponse(500, duration_ms=1), attempts=2)
    assert (result.outcome, result.next_attempt_at, cancel) == (AttemptOutcome.FAILED, None, None)


async def test_410_disables_the_subscription() -> None:
    result, cancel, _ = await _attempt(WebhookResponse(410, duration_ms=1))
    assert result.outcome is AttemptOutcome.GONE
    assert cancel == GONE_REASON


async def test_a_crashing_sender_loses_nothing() -> None:
    class Broken:
        async def send(self, request: WebhookRequest) -> WebhookResponse:
            raise RuntimeError("bug")

    store = OneDeliveryStore(_claimed())
    worker = DeliveryWorker(store, Broken(), RetryPolicy(jitter=0), clock=lambda: NOW)  # type: ignore[arg-type]
    await worker.run_once()
    [(result, _)] = store.results
    assert result.outcome is AttemptOutcome.RETRY
    assert result.error == "sender: bug"


async def test_the_loop_purges_delivered_deliveries_past_their_retention() -> None:
    class PurgingStore(OneDeliveryStore):
        def __init__(self) -> None:
            super().__init__(_claimed())
            self.purged_before: list[dt.datetime] = []
            self._left = [3, 0]

        async def purge_delivered(self, before: dt.datetime, *, limit: int = 1000) -> int:
            self.purged_before.append(before)
            return self._left.pop(0)

    store = PurgingStore()
    worker = DeliveryWorker(
        store,  # type: ignore[arg-type]
        ScriptedSender(WebhookResponse(200, duration_ms=1)),
        RetryPolicy(),
        poll_interval=0.01,
        retention=dt.timedelta(days=30),
        clock=lambda: NOW,
    )
    task = asyncio.create_task(worker.run())
    for _ in range(100):
        if store.results:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    # Purged until nothing was left, once (the next round is an hour away).
    assert store.purged_before == [NOW - dt.timedelta(days=30)] * 2
    assert [r.outcome for r, _ in store.results] == [AttemptOutcome.DELIVERED]


@pytest.mark.parametrize(
    ("response", "attempts", "outcome"),
    [
        (WebhookResponse(204, duration_ms=250), 0, "delivered"),
        (WebhookResponse(500, duration_ms=250), 0, "retry"),
        (WebhookResponse(500, duration_ms=250), 2, "failed"),
        (WebhookResponse(410, duration_ms=250), 0, "gone"),
    ],
)
async def test_each_attempt_is_measured_by_outcome(
    response: WebhookResponse, attempts: int, outcome: str
) -> None:
    metrics = GatewayMetrics()
    worker = DeliveryWorker(
        OneDeliveryStore(_claimed(attempts)),  # type: ignore[arg-type]
        ScriptedSender(response),
        RetryPolicy(schedule=(10, 60), max_attempts=3, jitter=0),
        clock=lambda: NOW,
        on_attempt=metrics.webhook_attempt,
    )
    await worker.run_once()
    value = metrics.registry.get_sample_value
    histogram = "erp_gateway_webhook_delivery_duration_seconds"
    assert value(f"{histogram}_count", {"outcome": outcome}) == 1
    assert value(f"{histogram}_sum", {"outcome": outcome}) == 0.25
