"""The webhook store contract: the in-memory fake, SQLite and PostgreSQL, driven through the
admin service and the enqueuer as the gateway drives them.

What delivery relies on: one delivery per (subscription, event) following the filters, only
the oldest pending delivery of an active subscription is claimed, a lost lease changes
nothing, retries wait for their time, a gone receiver disables its subscription, and
redelivery, rotation, deletion, listing and purging behave alike on every backend.
"""

from __future__ import annotations

import datetime as dt

import pytest

from process_apis.errors import InvalidInput, InvalidState, RecordNotFound
from process_apis.events.model import EventType
from process_apis.webhooks.admin import WebhookAdmin
from process_apis.webhooks.enqueuer import WebhookEnqueuer
from process_apis.webhooks.model import (
    AttemptOutcome,
    AttemptResult,
    DeliveryFilter,
    DeliveryStatus,
    SigningKeys,
    SubscriptionChanges,
    SubscriptionStatus,
)
from process_apis.webhooks.port import WebhookStore
from tests.contract.state.conftest import Backend
from tests.integration.webhooks.support import event

URL = "https://hooks.example.com/erp"
LEASE = dt.timedelta(seconds=60)
CONNECTIONS = ("EU01", "US01")


@pytest.fixture
def store(backend: Backend) -> WebhookStore:
    return backend.webhooks()


@pytest.fixture
def admin(store: WebhookStore) -> WebhookAdmin:
    return WebhookAdmin(store, CONNECTIONS)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _claim(store: WebhookStore, limit: int = 10, now: dt.datetime | None = None):  # type: ignore[no-untyped-def]
    at = now or _now()
    return await store.claim(limit=limit, now=at, lease_until=at + LEASE)


def _result(outcome: AttemptOutcome, code: int | None = 200) -> AttemptResult:
    now = _now()
    return AttemptResult(
        attempted_at=now,
        status_code=code,
        error=None if outcome is AttemptOutcome.DELIVERED else f"HTTP {code}",
        duration_ms=12,
        response_body="ok",
        outcome=outcome,
        next_attempt_at=now if outcome is AttemptOutcome.RETRY else None,
    )


async def test_register_validates_and_returns_the_secret_once(admin: WebhookAdmin) -> None:
    registered = await admin.register(
        URL, event_types=["order.placed"], connections=["EU01"], description=" orders "
    )
    sub = registered.subscription
    assert registered.secret.startswith("whsec_")
    assert sub.event_types == ("order.placed",)
    assert sub.connections == ("EU01",)
    assert sub.description == "orders"
    assert sub.status is SubscriptionStatus.ACTIVE
    assert "secret" not in sub.as_json()
    assert [s.id for s in await admin.list()] == [sub.id]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"url": "ftp://x.example"}, "url"),
        ({"url": URL, "event_types": ["order.deleted"]}, "event_types.0"),
        ({"url": URL, "event_types": []}, "event_types"),
        ({"url": URL, "connections": ["EU01", "XX99"]}, "connections.1"),
        ({"url": URL, "description": "x" * 501}, "description"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    admin: WebhookAdmin, kwargs: dict[str, object], field: str
) -> None:
    rest = dict(kwargs)
    url = rest.pop("url")
    with pytest.raises(InvalidInput) as info:
        await admin.register(url, **rest)  # type: ignore[arg-type]
    assert info.value.field == field
    assert await admin.list() == []


async def test_enqueue_follows_type_and_connection_filters(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    everything = (await admin.register(URL)).subscription
    eu_orders = (
        await admin.register(URL, event_types=["order.placed"], connections=["EU01"])
    ).subscription
    paused = (await admin.register(URL)).subscription
    await admin.disable(paused.id, "maintenance")
    events = [
        event(1),
        event(2, connection="US01"),
        event(3, type=EventType.INVOICE_ISSUED),
    ]
    await WebhookEnqueuer(store).publish(events)

    def ids(sub_id: str) -> list[str]:
        return [d.event_id for d in reversed(page_items[sub_id])]

    page_items = {
        s.id: (await admin.deliveries(DeliveryFilter(subscription_id=s.id), limit=10)).items
        for s in (everything, eu_orders, paused)
    }
    assert ids(everything.id) == ["evt-0001", "evt-0002", "evt-0003"]
    assert ids(eu_orders.id) == ["evt-0001"]
    assert ids(paused.id) == []


async def test_an_event_offered_twice_is_enqueued_once(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    await admin.register(URL)
    sink = WebhookEnqueuer(store)
    await sink.publish([event(1), event(2)])
    await sink.publish([event(2), event(3)])
    page = await admin.deliveries(DeliveryFilter(), limit=10)
    assert sorted(d.event_id for d in page.items) == ["evt-0001", "evt-0002", "evt-0003"]


async def test_only_the_oldest_pending_delivery_of_a_subscription_is_claimed(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    a = (await admin.register(URL + "/a")).subscription
    b = (await admin.register(URL + "/b")).subscription
    await WebhookEnqueuer(store).publish([event(1), event(2)])
    first = await _claim(store)
    assert sorted((c.delivery.subscription_id, c.delivery.event_id) for c in first) == sorted(
        [(a.id, "evt-0001"), (b.id, "evt-0001")]
    )
    # Leased heads block their successors and cannot be claimed a second time.
    assert await _claim(store) == []
    for claimed in first:
        assert await store.record_attempt(
            claimed, _result(AttemptOutcome.DELIVERED), cancel_reason=None
        )
    second = await _claim(store)
    assert {c.delivery.event_id for c in second} == {"evt-0002"}


async def test_an_expired_lease_is_taken_over_and_the_stale_worker_changes_nothing(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    await admin.register(URL)
    await WebhookEnqueuer(store).publish([event(1)])
    (stale,) = await _claim(store)
    (fresh,) = await _claim(store, now=_now() + 2 * LEASE)
    assert fresh.lease_token != stale.lease_token
    assert not await store.record_attempt(
        stale, _result(AttemptOutcome.FAILED, 500), cancel_reason=None
    )
    assert await store.record_attempt(fresh, _result(AttemptOutcome.DELIVERED), cancel_reason=None)
    delivery = await store.get_delivery(fresh.delivery.id)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.DELIVERED
    # Both attempts really happened, so both are in the log.
    assert [a.status_code for a in delivery.attempt_log] == [500, 200]


async def test_a_retry_waits_for_its_time(admin: WebhookAdmin, store: WebhookStore) -> None:
    await admin.register(URL)
    await WebhookEnqueuer(store).publish([event(1)])
    (claimed,) = await _claim(store)
    later = _now() + dt.timedelta(minutes=5)
    retry = AttemptResult(
        attempted_at=_now(),
        status_code=503,
        error="HTTP 503",
        duration_ms=3,
        response_body=None,
        outcome=AttemptOutcome.RETRY,
        next_attempt_at=later,
    )
    assert await store.record_attempt(claimed, retry, cancel_reason=None)
    assert await _claim(store) == []
    assert len(await _claim(store, now=later + dt.timedelta(seconds=1))) == 1


async def test_gone_disables_the_subscription_and_cancels_its_pending_deliveries(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    sub = (await admin.register(URL)).subscription
    await WebhookEnqueuer(store).publish([event(1), event(2), event(3)])
    (claimed,) = await _claim(store)
    await store.record_attempt(claimed, _result(AttemptOutcome.GONE, 410), cancel_reason="gone")
    after = await admin.get(sub.id)
    assert after.status is SubscriptionStatus.DISABLED
    assert after.disabled_reason == "gone"
    page = await admin.deliveries(DeliveryFilter(subscription_id=sub.id), limit=10)
    assert {d.event_id: d.status for d in page.items} == {
        "evt-0001": DeliveryStatus.FAILED,
        "evt-0002": DeliveryStatus.CANCELLED,
        "evt-0003": DeliveryStatus.CANCELLED,
    }
    # Disabled: new events are not enqueued for it.
    await WebhookEnqueuer(store).publish([event(4)])
    assert (await admin.deliveries(DeliveryFilter(subscription_id=sub.id), limit=10)).total == 3


async def test_a_disabled_subscription_keeps_its_pending_deliveries_until_enabled(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    sub = (await admin.register(URL)).subscription
    await WebhookEnqueuer(store).publish([event(1)])
    await admin.disable(sub.id)
    assert await _claim(store) == []
    assert (await admin.get(sub.id)).disabled_reason == "disabled by an operator"
    await admin.enable(sub.id)
    assert len(await _claim(store)) == 1


async def test_redelivery_starts_a_new_series(admin: WebhookAdmin, store: WebhookStore) -> None:
    await admin.register(URL)
    await WebhookEnqueuer(store).publish([event(1)])
    (claimed,) = await _claim(store)
    with pytest.raises(InvalidState, match="being sent"):
        await admin.redeliver(claimed.delivery.id)
    await store.record_attempt(claimed, _result(AttemptOutcome.DELIVERED), cancel_reason=None)
    redone = await admin.redeliver(claimed.delivery.id)
    assert redone.status is DeliveryStatus.PENDING
    assert (redone.series, redone.attempts) == (2, 0)
    (again,) = await _claim(store)
    assert again.delivery.id == claimed.delivery.id
    await store.record_attempt(again, _result(AttemptOutcome.DELIVERED), cancel_reason=None)
    final = await admin.delivery(claimed.delivery.id)
    assert [(a.number, a.series) for a in final.attempt_log] == [(1, 1), (2, 2)]
    with pytest.raises(RecordNotFound):
        await admin.redeliver("no-such-delivery")


async def test_update_rotate_and_delete(admin: WebhookAdmin, store: WebhookStore) -> None:
    registered = await admin.register(URL, event_types=["order.placed"])
    sub = registered.subscription
    updated = await admin.update(sub.id, url=URL + "/v2", event_types=None)
    assert (updated.url, updated.event_types) == (URL + "/v2", None)
    with pytest.raises(InvalidInput):
        await admin.update(sub.id, url="mailto:x@example.com")
    assert (await admin.get(sub.id)).url == URL + "/v2"

    rotated = await admin.rotate_secret(sub.id)
    assert rotated.secret != registered.secret
    await WebhookEnqueuer(store).publish([event(1)])
    (claimed,) = await _claim(store)
    assert claimed.keys.current == rotated.secret
    assert claimed.keys.previous == registered.secret  # still signs during the grace period

    await admin.delete(sub.id)
    with pytest.raises(RecordNotFound):
        await admin.get(sub.id)
    assert (await admin.deliveries(DeliveryFilter(), limit=10)).total == 0
    with pytest.raises(RecordNotFound):
        await admin.delete(sub.id)


async def test_deliveries_are_listed_newest_first_with_filters(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    await admin.register(URL)
    await WebhookEnqueuer(store).publish([event(n) for n in range(1, 6)])
    first = await admin.deliveries(DeliveryFilter(), limit=2)
    second = await admin.deliveries(DeliveryFilter(), limit=2, offset=2)
    assert first.total == 5
    assert [d.event_id for d in first.items + second.items] == [
        "evt-0005",
        "evt-0004",
        "evt-0003",
        "evt-0002",
    ]
    by_event = await admin.deliveries(DeliveryFilter(event_id="evt-0003"), limit=10)
    assert [d.event_id for d in by_event.items] == ["evt-0003"]
    pending = await admin.deliveries(DeliveryFilter(status=DeliveryStatus.PENDING), limit=10)
    assert pending.total == 5
    with pytest.raises(RecordNotFound):
        await admin.deliveries(DeliveryFilter(subscription_id="nope"), limit=10)


async def test_old_delivered_deliveries_are_purged_failed_ones_kept(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    await admin.register(URL + "/ok")
    await admin.register(URL + "/bad")
    await WebhookEnqueuer(store).publish([event(1)])
    for claimed in await _claim(store):
        outcome = AttemptOutcome.DELIVERED if claimed.url.endswith("/ok") else AttemptOutcome.FAILED
        await store.record_attempt(
            claimed,
            _result(outcome, 200 if outcome is AttemptOutcome.DELIVERED else 500),
            cancel_reason=None,
        )

    assert await store.purge_delivered(_now() - dt.timedelta(days=1)) == 0  # not old yet
    assert await store.purge_delivered(_now() + dt.timedelta(seconds=1)) == 1
    left = await admin.deliveries(DeliveryFilter(), limit=10)
    assert [d.status for d in left.items] == [DeliveryStatus.FAILED]
    assert len(left.items[0].attempt_log) == 1


async def test_an_attempt_ending_after_its_subscription_was_deleted_is_dropped_quietly(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    sub = (await admin.register(URL)).subscription
    await WebhookEnqueuer(store).publish([event(1)])
    (claimed,) = await _claim(store)
    await admin.delete(sub.id)
    assert not await store.record_attempt(
        claimed, _result(AttemptOutcome.DELIVERED), cancel_reason=None
    )
    assert (await admin.deliveries(DeliveryFilter(), limit=10)).total == 0


async def test_unknown_ids_change_nothing(store: WebhookStore) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert await store.get_subscription(missing) is None
    assert await store.update_subscription(missing, SubscriptionChanges(url=URL)) is None
    assert await store.set_status(missing, SubscriptionStatus.DISABLED.value, "x") is None
    assert await store.rotate_secret(missing, "whsec_x", None) is None
    assert not await store.delete_subscription(missing)
    assert await store.get_delivery(missing) is None
    assert await store.redeliver(missing, _now()) is None
    assert await store.list_subscriptions() == []
    assert await store.enqueue([event(1)]) == 0  # no subscription: nothing to deliver


async def test_a_rotation_without_grace_drops_the_old_secret(
    admin: WebhookAdmin, store: WebhookStore
) -> None:
    sub = (await admin.register(URL)).subscription
    rotated = await store.rotate_secret(sub.id, "whsec_new", None)
    assert rotated is not None
    assert rotated.secret == "whsec_new"
    await WebhookEnqueuer(store).publish([event(1)])
    (claimed,) = await _claim(store)
    assert claimed.keys == SigningKeys(current="whsec_new", previous=None)
    assert claimed.delivery.leased
