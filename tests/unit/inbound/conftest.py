"""An inbound event as the store hands it to a handler."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from process_apis.inbound.model import InboundEvent, InboundStatus

RECEIVED = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)


def inbound(
    type: str,
    data: Mapping[str, Any],
    *,
    source: str = "wms-main",
    webhook_id: str = "msg_1",
    connection: str = "EU01",
) -> InboundEvent:
    return InboundEvent(
        id=f"in-{source}-{webhook_id}",
        source=source,
        webhook_id=webhook_id,
        type=type,
        connection=connection,
        data=dict(data),
        status=InboundStatus.PENDING,
        attempts=1,
        received_at=RECEIVED,
        next_attempt_at=RECEIVED,
    )
