"""The business event every outlet delivers: broker, webhooks and GraphQL subscriptions."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from process_apis.sensitivity import redact_all


class EventType(StrEnum):
    """Event types; each is also the message broker's routing key."""

    ORDER_PLACED = "order.placed"
    ORDER_STATUS_CHANGED = "order.status_changed"
    INVENTORY_CHANGED = "inventory.changed"
    INVOICE_ISSUED = "invoice.issued"
    INVOICE_STATUS_CHANGED = "invoice.status_changed"


class Event(BaseModel):
    """One change, as subscribers receive it.

    ``aggregate`` names the record the change belongs to (``order:EU01:42``,
    ``stock:EU01:TG11@1010/0001``, ``invoice:EU01:90000001``): events of one aggregate are
    delivered in the order they were written. ``id`` is unique; an event derived from an
    ERP change uses an id derived from that change, so the same change seen twice is one
    event. ``data`` holds canonical, JSON-ready fields only, never sensitive ones.
    """

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=128)
    type: EventType
    aggregate: str = Field(min_length=1, max_length=255)
    connection: str = Field(min_length=1, max_length=64)
    occurred_at: AwareDatetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("data")
    @classmethod
    def _no_sensitive_fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        # Every outlet (broker, webhooks, subscriptions) gets what the event holds, and
        # none of them may carry pay, bank or credit data, whoever is subscribed.
        cleaned: dict[str, Any] = redact_all(data)
        return cleaned

    @property
    def routing_key(self) -> str:
        return self.type.value


def derived_event_id(*parts: str) -> str:
    """A stable event id for a change identified by ``parts`` (same parts, same id)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "erp-gateway:" + "|".join(parts)))
