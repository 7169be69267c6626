"""Signatures follow Standard Webhooks: the reference verifier accepts them."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from process_apis.events.model import Event, EventType
from process_apis.webhooks.model import SigningKeys, new_secret
from process_apis.webhooks.signing import delivery_body, signed_headers

EVENT = Event(
    type=EventType.ORDER_PLACED,
    aggregate="order:EU01:42",
    connection="EU01",
    occurred_at=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
    data={"order_id": "EU01:42", "total": "12.50", "name": "Müller"},
)


def test_secret_format() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    assert 24 <= len(raw) <= 32
    assert new_secret() != secret


def test_body_holds_type_timestamp_and_the_event() -> None:
    body = json.loads(delivery_body(EVENT))
    assert body["type"] == "order.placed"
    assert body["timestamp"] == "2026-03-02T12:00:00+00:00"
    assert body["data"]["id"] == EVENT.id
    assert body["data"]["aggregate"] == "order:EU01:42"
    assert body["data"]["connection"] == "EU01"
    assert body["data"]["data"] == EVENT.data


def test_signature_verifies_with_the_reference_implementation() -> None:
    secret = new_secret()
    body = delivery_body(EVENT)
    headers = signed_headers(EVENT.id, body, SigningKeys(secret), dt.datetime.now(dt.UTC))
    assert headers["webhook-id"] == EVENT.id
    assert Webhook(secret).verify(body, headers)["data"]["id"] == EVENT.id


def test_signature_fails_for_another_secret_or_a_changed_body() -> None:
    secret = new_secret()
    body = delivery_body(EVENT)
    headers = signed_headers(EVENT.id, body, SigningKeys(secret), dt.datetime.now(dt.UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("12.50", "99.99"), headers)


def test_during_a_rotation_both_secrets_verify() -> None:
    old, new = new_secret(), new_secret()
    body = delivery_body(EVENT)
    headers = signed_headers(EVENT.id, body, SigningKeys(new, old), dt.datetime.now(dt.UTC))
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
