"""POST /webhooks/inbound/{source}: signed events are stored once; anything else is refused
with the right status and nothing stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.integration.inbound.conftest import (
    ERP_SECRET,
    WMS_SECRET,
    Harness,
    goods_received,
    signed_headers,
)


async def test_a_signed_event_is_accepted_and_stored(harness: Harness) -> None:
    response = await harness.send(goods_received())

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "accepted"
    stored = await harness.store.get(body["id"])
    assert stored is not None
    assert (stored.source, stored.webhook_id, stored.type) == (
        "wms-main",
        "msg_1",
        "wms.goods_received",
    )
    assert stored.connection == "EU01"
    assert stored.data == {"sku": "TG11", "location": "1010/0001", "quantity": "5"}
    assert stored.status.value == "pending"
    # Stored, not yet processed: the ERP is untouched until the processor runs.
    assert harness.erp.calls["adjust_stock"] == 0


async def test_several_signatures_one_of_them_valid_are_accepted(harness: Harness) -> None:
    body = json.dumps(goods_received())
    headers = signed_headers(WMS_SECRET, "msg_1", body)
    rotated_out = signed_headers(ERP_SECRET, "msg_1", body)["webhook-signature"]
    headers["webhook-signature"] = f"{rotated_out} {headers['webhook-signature']}"
    response = await harness.client.post(
        "/webhooks/inbound/wms-main", content=body, headers=headers
    )
    assert response.status_code == 202


async def test_the_same_webhook_id_again_is_a_duplicate_processed_once(harness: Harness) -> None:
    first = await harness.send(goods_received())
    again = await harness.send(goods_received(quantity="7"))

    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    assert await harness.stored() == 1
    await harness.processor.process_due()
    await harness.send(goods_received())
    await harness.processor.process_due()
    assert harness.erp.calls["adjust_stock"] == 1
    assert harness.erp.stock[("TG11", "1010/0001")] == 15
    assert len(await harness.outbox_events()) == 1


async def test_the_same_webhook_id_from_another_source_is_another_event(harness: Harness) -> None:
    await harness.send(goods_received(), webhook_id="msg_1")
    notice = {"type": "invoice.paid", "data": {"invoice": "90000001", "connection": "EU01"}}
    response = await harness.send(notice, source="erp-push", secret=ERP_SECRET, webhook_id="msg_1")
    assert response.status_code == 202
    assert await harness.stored() == 2


def _stale() -> dict[str, str]:
    body = json.dumps(goods_received())
    return signed_headers(
        WMS_SECRET, "msg_1", body, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"webhook-signature": "v1,AAAA"}, "No matching signature"),
        ({"webhook-signature": "garbage"}, "malformed"),
        ({"webhook-signature": ""}, "Missing required headers"),
        ({"webhook-id": ""}, "Missing required headers"),
        ({"webhook-timestamp": "yesterday"}, "Invalid Signature Headers"),
        ({"webhook-id": "msg_other"}, "No matching signature"),
    ],
)
async def test_a_bad_signature_is_refused(
    harness: Harness, headers: dict[str, str], message: str
) -> None:
    response = await harness.send(goods_received(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "INVALID_SIGNATURE"
    assert message in response.json()["message"]
    assert await harness.stored() == 0


async def test_a_body_signed_with_another_sources_secret_is_refused(harness: Harness) -> None:
    response = await harness.send(goods_received(), secret=ERP_SECRET)
    assert response.status_code == 401
    assert await harness.stored() == 0


async def test_a_stale_timestamp_is_refused(harness: Harness) -> None:
    body = json.dumps(goods_received())
    response = await harness.client.post(
        "/webhooks/inbound/wms-main", content=body, headers=_stale()
    )
    assert response.status_code == 401
    assert "too old" in response.json()["message"]
    assert await harness.stored() == 0


async def test_an_unknown_source_is_not_found(harness: Harness) -> None:
    response = await harness.send(goods_received(), source="wms-elsewhere")
    assert response.status_code == 404
    assert response.json()["error"] == "UNKNOWN_SOURCE"
    assert await harness.stored() == 0


async def test_a_body_over_the_limit_is_refused_before_it_is_read(harness: Harness) -> None:
    envelope = goods_received()
    envelope["data"]["sku"] = "X" * 5000
    response = await harness.send(envelope)
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["message"]
    assert await harness.stored() == 0


async def test_a_streamed_body_over_the_limit_is_refused(harness: Harness) -> None:
    chunks = [b'{"type": "wms.goods_received", "data": {"sku": "', b"X" * 5000, b'"}}']

    async def body():  # type: ignore[no-untyped-def]
        for chunk in chunks:
            yield chunk

    headers = signed_headers(WMS_SECRET, "msg_1", b"".join(chunks).decode())
    response = await harness.client.post(
        "/webhooks/inbound/wms-main", content=body(), headers=headers
    )
    assert response.status_code == 413
    assert await harness.stored() == 0


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        ("{not json", "body: not valid JSON"),
        ("[1, 2]", "body: must be a JSON object"),
        ({"data": {}}, "type: required"),
        ({"type": "wms.goods_received"}, "data: required"),
        ({"type": "wms.goods_received", "data": {}, "extra": 1}, "body: unknown field(s) extra"),
        ({"type": "wms.stolen", "data": {}}, "type: unknown event type 'wms.stolen'"),
        (
            {"type": "invoice.paid", "data": {"invoice": "1"}},
            "type: 'invoice.paid' is not accepted from a wms",
        ),
        (goods_received(quantity="-3"), "data.quantity: Input should be greater than 0"),
        (goods_received(quantity="lots"), "data.quantity: Input should be a valid decimal"),
        (
            {"type": "wms.goods_received", "data": {"sku": "TG11", "quantity": 1}},
            "data.location: Field required",
        ),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message(
    harness: Harness, envelope: object, message: str
) -> None:
    response = await harness.send(envelope)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "INVALID_EVENT"
    assert response.json()["message"].startswith(message), response.json()["message"]
    assert await harness.stored() == 0


async def test_a_notice_for_an_unknown_connection_is_refused(harness: Harness) -> None:
    notice = {"type": "invoice.issued", "data": {"invoice": "90000001", "connection": "XX99"}}
    response = await harness.send(notice, source="erp-push", secret=ERP_SECRET)
    assert response.status_code == 400
    assert response.json()["field"] == "data.connection"
    notice["data"].pop("connection")  # type: ignore[attr-defined]
    response = await harness.send(notice, source="erp-push", secret=ERP_SECRET, webhook_id="m2")
    assert response.status_code == 400
    assert "not bound to a connection" in response.json()["message"]
    assert await harness.stored() == 0


async def test_a_body_that_is_not_utf8_is_refused(harness: Harness) -> None:
    headers = signed_headers(WMS_SECRET, "msg_1", "x")
    response = await harness.client.post(
        "/webhooks/inbound/wms-main", content=b"\xff\xfe{}", headers=headers
    )
    assert response.status_code == 400
    assert await harness.stored() == 0
