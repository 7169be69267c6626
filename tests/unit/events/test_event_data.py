"""No outlet can carry sensitive data: the event itself drops it, whoever built it."""

from __future__ import annotations

import json

import pytest

from process_apis.events.model import Event, EventType

pytestmark = pytest.mark.unit


def test_an_event_never_holds_pay_bank_or_credit_fields() -> None:
    event = Event(
        type=EventType.ORDER_STATUS_CHANGED,
        aggregate="order:EU01:42",
        connection="EU01",
        data={
            "orderId": "EU01:42",
            "status": "shipped",
            "customer": {"id": "EU01:10100001", "creditLimit": "50000.00"},
            "contact": {"name": "A. Person", "bank_account": {"iban": "DE89370400440532013000"}},
            "lines": [{"sku": "TG11", "salary": "1"}],
        },
    )
    body = json.dumps(event.data)
    for leaked in ("creditLimit", "50000.00", "bank_account", "DE89370400440532013000", "salary"):
        assert leaked not in body
    assert event.data["status"] == "shipped"
    assert event.data["customer"] == {"id": "EU01:10100001"}
    assert event.data["lines"] == [{"sku": "TG11"}]
