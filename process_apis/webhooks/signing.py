"""The body of a delivery and its Standard Webhooks signature headers."""

from __future__ import annotations

import datetime as dt
import json

from standardwebhooks.webhooks import Webhook

from process_apis.events.model import Event
from process_apis.webhooks.model import SigningKeys

USER_AGENT = "erp-gateway-webhooks/1"


def delivery_body(event: Event) -> str:
    """``{"type", "timestamp", "data"}`` with every field of the event under ``data``;
    fixed when the delivery is enqueued so that every attempt sends the same bytes."""
    return json.dumps(
        {
            "type": event.type.value,
            "timestamp": event.occurred_at.isoformat(),
            "data": event.model_dump(mode="json"),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signed_headers(
    message_id: str, body: str, keys: SigningKeys, now: dt.datetime
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` (one ``v1,`` entry per
    valid secret: the new one first, the previous one during a rotation's grace period)."""
    when = now.astimezone(dt.UTC)
    secrets = [keys.current] if keys.previous is None else [keys.current, keys.previous]
    signatures = " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=when, data=body) for secret in secrets
    )
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signatures,
    }
