"""Deliveries over real HTTP to a live receiver, on SQLite and on PostgreSQL: signatures,
retries and their spacing, Retry-After, 410 Gone, timeouts, redelivery, two workers."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from standardwebhooks.webhooks import Webhook

from experience_api.webhooks.sender import HttpxWebhookSender
from process_apis.persistence.database import create_engine
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.backoff import RetryPolicy
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.model import Delivery, DeliveryFilter, DeliveryStatus, SubscriptionStatus
from process_apis.webhooks.port import WebhookRequest, WebhookResponse
from process_apis.webhooks.sql_store import SqlWebhookStore
from process_apis.webhooks.worker import DeliveryWorker
from tests.integration.webhooks.support import Answer, Receiver, event

FAST = RetryPolicy(schedule=(0.4, 0.8), max_attempts=3, jitter=0)


class CountingSender(HttpxWebhookSender):
    """The real sender, counting what it sent (to see that every worker took part)."""

    sent = 0

    async def send(self, request: WebhookRequest) -> WebhookResponse:
        self.sent += 1
        return await super().send(request)


@contextlib.asynccontextmanager
async def working(
    store: SqlWebhookStore, policy: RetryPolicy = FAST, *, request_timeout: float = 5.0
) -> AsyncIterator[CountingSender]:
    """A delivery worker running until the block ends; yields its sender."""
    sender = CountingSender(timeout=request_timeout)
    worker = DeliveryWorker(store, sender, policy, concurrency=4, poll_interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        yield sender
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await sender.aclose()


async def until(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def _only_delivery(admin: WebhookAdmin, subscription_id: str) -> Delivery:
    page = await admin.deliveries(DeliveryFilter(subscription_id=subscription_id), limit=10)
    assert len(page.items) == 1
    return page.items[0]


def _settled(admin: WebhookAdmin, subscription_id: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        delivery = await _only_delivery(admin, subscription_id)
        return delivery.status is not DeliveryStatus.PENDING

    return check


async def test_a_delivery_arrives_signed_and_is_logged(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    registered = await admin.register(receiver.script("signed"))
    sub = registered.subscription
    placed = event(1)
    async with working(store):
        await WebhookEnqueuer(store).publish([placed])
        await until(_settled(admin, sub.id))

    (request,) = receiver.at("signed")
    payload = Webhook(registered.secret).verify(request.body, request.headers)
    assert request.headers["webhook-id"] == placed.id
    assert request.headers["content-type"] == "application/json"
    assert payload["type"] == "order.placed"
    assert payload["data"]["data"] == {"order_id": "EU01:1", "number": 1}
    delivery = await _only_delivery(admin, sub.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    (attempt,) = delivery.attempt_log
    assert (attempt.status_code, attempt.response_body, attempt.error) == (200, "ok", None)
    assert attempt.duration_ms >= 0


async def test_failures_are_retried_on_schedule_then_delivered(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("flaky", Answer(500, body="boom"), Answer(500), Answer(200))
    sub = (await admin.register(url)).subscription
    async with working(store):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))

    times = [r.at for r in receiver.at("flaky")]
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert 0.35 <= gaps[0] < 0.4 + 1.0
    assert 0.75 <= gaps[1] < 0.8 + 1.0
    delivery = await _only_delivery(admin, sub.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [(a.number, a.status_code) for a in delivery.attempt_log] == [
        (1, 500),
        (2, 500),
        (3, 200),
    ]
    assert delivery.attempt_log[0].response_body == "boom"
    assert delivery.attempt_log[0].error == "HTTP 500"


async def test_after_max_attempts_it_is_failed_kept_and_can_be_redelivered(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("down", Answer(503), Answer(502), Answer(500))
    sub = (await admin.register(url)).subscription
    async with working(store):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))
        failed = await _only_delivery(admin, sub.id)
        assert failed.status is DeliveryStatus.FAILED
        assert failed.last_status_code == 500
        assert len(receiver.at("down")) == 3

        await admin.redeliver(failed.id)
        await until(_settled(admin, sub.id))

    delivery = await _only_delivery(admin, sub.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [(a.series, a.status_code) for a in delivery.attempt_log] == [
        (1, 503),
        (1, 502),
        (1, 500),
        (2, 200),
    ]
    assert len(receiver.at("down")) == 4


async def test_retry_after_is_honoured(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("busy", Answer(429, headers={"Retry-After": "1"}), Answer(200))
    sub = (await admin.register(url)).subscription
    slow_schedule = RetryPolicy(schedule=(30,), max_attempts=3, jitter=0)
    async with working(store, slow_schedule):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))

    first, second = (r.at for r in receiver.at("busy"))
    assert 0.95 <= second - first < 3.0  # the header's 1 s, not the schedule's 30 s
    delivery = await _only_delivery(admin, sub.id)
    assert [a.status_code for a in delivery.attempt_log] == [429, 200]


async def test_gone_disables_the_subscription(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("gone", Answer(410))
    sub = (await admin.register(url)).subscription
    async with working(store):
        await WebhookEnqueuer(store).publish([event(1), event(2)])

        async def disabled() -> bool:
            return (await admin.get(sub.id)).status is SubscriptionStatus.DISABLED

        await until(disabled)
        await asyncio.sleep(0.3)  # the worker would have sent event 2 by now, if it did

    assert len(receiver.at("gone")) == 1
    after = await admin.get(sub.id)
    assert after.disabled_reason is not None
    assert "410" in after.disabled_reason
    page = await admin.deliveries(DeliveryFilter(subscription_id=sub.id), limit=10)
    assert {d.event_id: d.status for d in page.items} == {
        "evt-0001": DeliveryStatus.FAILED,
        "evt-0002": DeliveryStatus.CANCELLED,
    }


async def test_a_timeout_is_retried(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    url = receiver.script("slow", Answer(200, delay=3.0), Answer(200))
    sub = (await admin.register(url)).subscription
    async with working(store, request_timeout=0.5):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))

    delivery = await _only_delivery(admin, sub.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    first, second = delivery.attempt_log
    assert first.status_code is None
    assert first.error is not None
    assert first.error.startswith("timeout")
    assert 400 <= first.duration_ms < 2000
    assert second.status_code == 200


async def test_a_redirect_is_not_followed(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    elsewhere = receiver.script("elsewhere")
    url = receiver.script("moved", Answer(302, headers={"Location": elsewhere}), Answer(200))
    sub = (await admin.register(url)).subscription
    async with working(store):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))

    assert receiver.at("elsewhere") == []
    delivery = await _only_delivery(admin, sub.id)
    assert [a.status_code for a in delivery.attempt_log] == [302, 200]


async def test_an_unreachable_receiver_is_retried_with_the_error_logged(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    closed = receiver.base_url.rsplit(":", 1)[0] + ":1/nothing-listens"
    sub = (await admin.register(closed)).subscription
    async with working(store, RetryPolicy(schedule=(0.1,), max_attempts=2, jitter=0)):
        await WebhookEnqueuer(store).publish([event(1)])
        await until(_settled(admin, sub.id))
    delivery = await _only_delivery(admin, sub.id)
    assert delivery.status is DeliveryStatus.FAILED
    assert [a.status_code for a in delivery.attempt_log] == [None, None]
    assert all(a.error and "Connect" in a.error for a in delivery.attempt_log)


async def _second_engine(engine: AsyncEngine) -> AsyncEngine:
    """Another engine on the same database, as a second replica would have."""
    if engine.dialect.name == "sqlite":
        return create_engine(engine.url.render_as_string(hide_password=False))
    async with engine.connect() as conn:
        path = (await conn.execute(text("SHOW search_path"))).scalar_one()
    return create_async_engine(
        engine.url.render_as_string(hide_password=False),
        connect_args={"server_settings": {"search_path": path}},
    )


async def test_two_workers_on_one_database_never_send_twice_and_keep_order(
    state_engine: AsyncEngine, admin: WebhookAdmin, receiver: Receiver
) -> None:
    paths = [f"replicas-{n}" for n in range(3)]
    for path in paths:
        # Each receiver stalls a little so that both workers are busy at the same time.
        await admin.register(receiver.script(path, *[Answer(200, delay=0.01)] * 40))
    events = [event(n) for n in range(1, 41)]
    other = await _second_engine(state_engine)
    try:
        store_a, store_b = SqlWebhookStore(state_engine), SqlWebhookStore(other)
        await WebhookEnqueuer(store_a).publish(events)
        async with working(store_a) as sender_a, working(store_b) as sender_b:

            async def all_sent() -> bool:
                pending = await admin.deliveries(
                    DeliveryFilter(status=DeliveryStatus.PENDING), limit=1
                )
                return pending.total == 0

            await until(all_sent, within=60)
    finally:
        await other.dispose()

    assert sender_a.sent > 0
    assert sender_b.sent > 0
    assert sender_a.sent + sender_b.sent == len(paths) * len(events)
    for path in paths:
        sent = [json.loads(r.body)["data"]["id"] for r in receiver.at(path)]
        assert sent == [e.id for e in events]  # each once, in order
    delivered = await admin.deliveries(DeliveryFilter(status=DeliveryStatus.DELIVERED), limit=1)
    assert delivered.total == len(paths) * len(events)


async def test_a_slow_receiver_does_not_hold_back_other_subscriptions(
    admin: WebhookAdmin, store: SqlWebhookStore, receiver: Receiver
) -> None:
    slow = (await admin.register(receiver.script("slow-one", Answer(200, delay=2.0)))).subscription
    await admin.register(receiver.script("fast-one"))
    async with working(store):
        await WebhookEnqueuer(store).publish([event(n) for n in range(1, 4)])
        await until(lambda: _count(receiver, "fast-one", 3), within=10)
        fast_done = time.monotonic()
        await until(_settled_all(admin, slow.id), within=20)

    (slow_request,) = receiver.at("slow-one")[:1]
    # All three fast deliveries arrived while the slow receiver still held its first request.
    assert fast_done - slow_request.at < 2.0


async def _count(receiver: Receiver, path: str, wanted: int) -> bool:
    return len(receiver.at(path)) >= wanted


def _settled_all(admin: WebhookAdmin, subscription_id: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        page = await admin.deliveries(
            DeliveryFilter(subscription_id=subscription_id, status=DeliveryStatus.PENDING), limit=1
        )
        return page.total == 0

    return check


async def test_a_sender_refusing_private_targets_does_not_contact_them(
    receiver: Receiver,
) -> None:
    sender = HttpxWebhookSender(timeout=5, allow_private=False)
    try:
        url = receiver.script("internal")
        named = url.replace("127.0.0.1", "localhost")
        for target in (url, named):
            answer = await sender.send(WebhookRequest(target, b"{}", {}))
            assert answer.status_code is None
            assert answer.error is not None
            assert "not a public address" in answer.error
    finally:
        await sender.aclose()
    assert receiver.at("internal") == []
