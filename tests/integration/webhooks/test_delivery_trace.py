"""A webhook delivery is a span, and the receiver gets its W3C ``traceparent``."""

from __future__ import annotations

from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.backoff import RetryPolicy
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.sql_store import SqlWebhookStore
from process_apis.webhooks.worker import DeliveryWorker
from tests.integration.webhooks.support import Receiver, event
from tests.support.tracing import Spans


async def test_the_receiver_continues_the_deliverys_trace(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver, spans: Spans
) -> None:
    registered = await admin.register(receiver.script("traced"))
    placed = event(1)
    await WebhookEnqueuer(store).publish([placed])
    sender = HttpxWebhookSender(timeout=5)
    worker = DeliveryWorker(store, sender, RetryPolicy(schedule=(0,), max_attempts=1))
    try:
        assert await worker.run_once() == 1
    finally:
        await sender.aclose()

    [request] = receiver.at("traced")
    [span] = spans.named("webhook delivery")
    assert span.attributes is not None
    assert span.attributes["webhook.event_id"] == placed.id
    assert span.attributes["webhook.subscription_id"] == registered.subscription.id
    assert span.attributes["http.response.status_code"] == 200
    version, trace_id, parent_id, flags = request.headers["traceparent"].split("-")
    assert version == "00"
    assert trace_id == format(span.context.trace_id, "032x")
    assert parent_id == format(span.context.span_id, "016x")
    assert int(flags, 16) & 1  # sampled
